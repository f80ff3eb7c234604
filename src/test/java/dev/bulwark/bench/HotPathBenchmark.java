package dev.bulwark.bench;

import dev.bulwark.exchange.CidrSet;
import dev.bulwark.exchange.ClientAddressResolver;
import dev.bulwark.exchange.RequestIds;
import dev.bulwark.exchange.ResponseHead;
import dev.bulwark.exchange.VertxHeaders;
import dev.bulwark.policy.headers.HeadersConfig;
import dev.bulwark.policy.headers.SecurityHeadersPolicy;
import dev.bulwark.routing.HostMatcher;
import dev.bulwark.routing.PathNormalizer;
import dev.bulwark.routing.RoutePattern;
import dev.bulwark.routing.RouteTable;
import io.vertx.core.MultiMap;
import io.vertx.core.http.impl.headers.HeadersMultiMap;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The per-request hot path in isolation: route match, path normalisation, the security headers
 * policy, client address resolution and request ids. Run with {@code bench/jmh}; never a test.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Benchmark)
public class HotPathBenchmark {
  private RouteTable<String> table;
  private SecurityHeadersPolicy strict;
  private ClientAddressResolver resolver;
  private MultiMap upstreamHeaders;

  @Setup
  public void setup() {
    List<RouteTable.Entry<String>> entries = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      entries.add(
          new RouteTable.Entry<>(
              HostMatcher.any(), RoutePattern.parse("/svc" + i + "/**"), Set.of(), "svc" + i));
      entries.add(
          new RouteTable.Entry<>(
              HostMatcher.any(),
              RoutePattern.parse("/api/orgs/{org}/res" + i),
              Set.of("GET"),
              "res" + i));
    }
    entries.add(
        new RouteTable.Entry<>(HostMatcher.any(), RoutePattern.parse("/**"), Set.of(), "all"));
    table = new RouteTable<>(entries);
    strict = SecurityHeadersPolicy.compile(HeadersConfig.STRICT);
    resolver = new ClientAddressResolver(CidrSet.of(List.of("10.0.0.0/8")));
    upstreamHeaders = HeadersMultiMap.httpHeaders();
  }

  @Benchmark
  public Object routeMatchTemplate() {
    return table.match("api.example.com", "/api/orgs/acme/res17", "GET").route();
  }

  @Benchmark
  public Object routeMatchFallthrough() {
    return table.match("api.example.com", "/static/app.js", "GET").route();
  }

  @Benchmark
  public Object normalizeCleanPath() {
    return PathNormalizer.normalize("/api/orgs/acme/items/42");
  }

  @Benchmark
  public Object strictHeadersOnResponse() {
    MultiMap h = upstreamHeaders;
    h.clear();
    h.add("content-type", "application/json").add("server", "nginx").add("content-length", "42");
    ResponseHead head = ResponseHead.fromUpstream(200, new VertxHeaders(h));
    strict.onResponse(null, head);
    return h;
  }

  @Benchmark
  public Object clientAddressUntrustedPeer() {
    return resolver.resolve("203.0.113.7", List.of(), List.of());
  }

  @Benchmark
  public Object clientAddressTrustedChain() {
    return resolver.resolve("10.1.2.3", List.of(), List.of("198.51.100.7, 10.0.0.2"));
  }

  @Benchmark
  public Object requestId() {
    return RequestIds.next();
  }
}
