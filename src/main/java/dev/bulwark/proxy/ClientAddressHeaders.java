package dev.bulwark.proxy;

import java.util.List;

/**
 * The request headers through which CDNs, load balancers and proxies tell a backend the client's
 * address; a backend (or its framework: request-ip, nginx's realip, PHP's HTTP_CLIENT_IP) that
 * reads one believes any client that sends it, so the gateway drops them from every forwarded
 * request. The address the gateway resolved goes upstream in {@code X-Forwarded-For} and {@code
 * Forwarded} only.
 */
final class ClientAddressHeaders {
  /** Exact names, lower case, grouped by who sets them. */
  static final List<String> NAMES =
      List.of(
          // nginx realip and many proxies
          "x-real-ip",
          // Akamai, Cloudflare Enterprise
          "true-client-ip",
          // Cloudflare
          "cf-connecting-ip",
          "cf-connecting-ipv6",
          "cf-pseudo-ipv4",
          // Fastly
          "fastly-client-ip",
          // Google App Engine
          "x-appengine-user-ip",
          // Envoy (its trusted client address)
          "x-envoy-external-address",
          // ingress-nginx's copy of the incoming X-Forwarded-For
          "x-original-forwarded-for",
          // load balancers and libraries that read client addresses (Rackspace, Riverbed,
          // Microsoft, PHP, the request-ip family)
          "x-client-ip",
          "x-cluster-client-ip",
          "x-originating-ip",
          "x-remote-ip",
          "x-remote-addr",
          "client-ip",
          "x-forwarded",
          "forwarded-for");

  private static final HeaderNameSet SET = HeaderNameSet.of(NAMES);

  private ClientAddressHeaders() {}

  /** Returns whether a header name (any case) claims to carry the client's address. */
  static boolean contains(String name) {
    return SET.contains(name);
  }
}
