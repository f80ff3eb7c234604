package dev.bulwark.config;

import java.time.Duration;
import java.util.List;

/**
 * What upstreams learn about the caller, as the gateway's core needs it: which incoming identity
 * headers are stripped, whether the bearer token itself is forwarded, and the signed identity
 * assertion (lifetime, key rotation, audience). The section that declares the issuers provides it;
 * lets the server build upstream requests without naming that section.
 */
public interface UpstreamIdentitySettings {
  /** The settings of a file that declares no issuers. */
  UpstreamIdentitySettings DEFAULTS =
      new UpstreamIdentitySettings() {
        @Override
        public List<String> stripHeaders() {
          return List.of();
        }

        @Override
        public boolean forwardToken() {
          return false;
        }

        @Override
        public Duration assertionTtl() {
          return Duration.ofSeconds(60);
        }

        @Override
        public Duration assertionRotate() {
          return Duration.ofHours(24);
        }

        @Override
        public String assertionAudience() {
          return "bulwark-upstream";
        }
      };

  /** Returns the lower-case names of incoming headers removed before forwarding. */
  List<String> stripHeaders();

  /** Returns whether upstreams receive the caller's bearer token. */
  boolean forwardToken();

  /** Returns how long a signed identity assertion is valid. */
  Duration assertionTtl();

  /** Returns how often the assertion signing key is replaced. */
  Duration assertionRotate();

  /** Returns the {@code aud} of the assertion. */
  String assertionAudience();
}
