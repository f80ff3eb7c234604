package dev.bulwark.proxy;

import java.util.List;

/**
 * The request headers through which well-known authenticating proxies tell a backend who the user
 * is; a backend that trusts one of them believes any client that sends it, so the gateway strips
 * them from every forwarded request (unless a route keeps one). Matching allocates nothing.
 */
public final class IdentityHeaders {
  /** Exact names, lower case, grouped by who sets them. */
  static final List<String> NAMES =
      List.of(
          // Authelia and others ("trusted header SSO")
          "remote-user",
          "remote-groups",
          "remote-email",
          "remote-name",
          // Apache, the Kubernetes front proxy, OpenShift's request-header provider
          "x-remote-user",
          "x-remote-group",
          // oauth2-proxy towards its upstream
          "x-forwarded-user",
          "x-forwarded-email",
          "x-forwarded-preferred-username",
          "x-forwarded-groups",
          "x-forwarded-access-token",
          // nginx auth_request examples, Traefik forward-auth, Keycloak Gatekeeper
          "x-user",
          "x-email",
          "x-username",
          "x-auth-user",
          "x-auth-username",
          "x-auth-userid",
          "x-auth-email",
          "x-auth-subject",
          "x-auth-roles",
          "x-auth-groups",
          // Kong
          "x-consumer-id",
          "x-consumer-username",
          "x-consumer-custom-id",
          "x-consumer-groups",
          "x-credential-identifier",
          "x-authenticated-userid",
          "x-authenticated-scope",
          "x-anonymous-consumer",
          // Google Cloud IAP
          "x-goog-iap-jwt-assertion",
          "x-goog-authenticated-user-email",
          "x-goog-authenticated-user-id",
          // client certificates passed on by a TLS-terminating proxy (Envoy, Traefik, nginx)
          "x-forwarded-client-cert",
          "x-forwarded-tls-client-cert",
          "x-forwarded-tls-client-cert-info",
          "ssl-client-cert",
          "ssl-client-verify",
          "ssl-client-subject-dn",
          "ssl-client-issuer-dn",
          "x-ssl-client-cert",
          "x-ssl-client-verify",
          "x-ssl-client-dn",
          "x-ssl-client-s-dn",
          "x-client-cert",
          "x-client-certificate",
          "x-client-cert-chain",
          "x-arr-clientcert", // Azure Application Gateway / IIS ARR
          "x-amzn-mtls-clientcert", // AWS ALB mTLS passthrough
          "x-amzn-mtls-clientcert-subject",
          "x-amzn-mtls-clientcert-san",
          "client-cert", // RFC 9440
          "client-cert-chain"); // RFC 9440

  /** Name prefixes, lower case: every header that starts with one is an identity header. */
  static final List<String> PREFIXES =
      List.of(
          "x-auth-request-", // oauth2-proxy's auth_request answers, copied on by nginx
          "x-remote-extra-", // Kubernetes front proxy
          "x-webauth-", // Grafana auth proxy (X-WEBAUTH-USER and its siblings)
          "x-pomerium-", // Pomerium (X-Pomerium-Jwt-Assertion, X-Pomerium-Claim-*)
          "x-authentik-", // authentik proxy outpost
          "x-vouch-", // Vouch Proxy
          "cf-access-", // Cloudflare Access
          "x-amzn-oidc-", // AWS ALB authentication
          "x-ms-client-principal", // Azure App Service authentication
          "x-ms-token-"); // Azure App Service token store

  private static final HeaderNameSet EXACT = HeaderNameSet.of(NAMES);

  private IdentityHeaders() {}

  /** Returns whether a header name (any case) is one of the well-known identity headers. */
  public static boolean isWellKnown(String name) {
    int len = name.length();
    if (len < 6) {
      return false;
    }
    char first = Character.toLowerCase(name.charAt(0));
    if (first != 'x' && first != 'r' && first != 's' && first != 'c') {
      return false; // most request headers end here (accept, host, user-agent, authorization…)
    }
    if (EXACT.contains(name)) {
      return true;
    }
    for (String p : PREFIXES) {
      if (len >= p.length() && name.regionMatches(true, 0, p, 0, p.length())) {
        return true;
      }
    }
    return false;
  }
}
