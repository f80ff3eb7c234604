package dev.bulwark.demo;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.testing.TestGateway;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * The demo's replay protection, as its banner shows it: a payment sent twice with one
 * Idempotency-Key runs once and is replayed, without a key it is refused; a request signed with the
 * printed {@code bulwark sign} command is accepted once and refused as a replay.
 */
class DemoReplayProtectionTest {
  @Test
  void aPaymentRunsOnceAndASignedRequestIsAcceptedOnce() throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      HttpServer upstream =
          DemoUpstream.start(vertx, 0)
              .toCompletionStage()
              .toCompletableFuture()
              .get(10, TimeUnit.SECONDS);
      Path contract = DemoAuthTest.contract();
      String yaml =
          DemoConfig.yaml(
              TestGateway.certificate().certFile(),
              TestGateway.certificate().keyFile(),
              0,
              0,
              0,
              upstream.actualPort(),
              DemoAuthTest.issuerKey(),
              contract);
      try (TestGateway gw = TestGateway.startYaml(yaml)) {
        String key = "\"demo-" + System.nanoTime() + "\"";
        HttpResponse<String> first = pay(gw, key);
        HttpResponse<String> again = pay(gw, key);
        assertThat(first.statusCode()).isEqualTo(201);
        assertThat(again.statusCode()).isEqualTo(201);
        assertThat(again.body()).as("the same payment, replayed").isEqualTo(first.body());
        assertThat(again.headers().firstValue("idempotent-replayed")).hasValue("true");
        assertThat(pay(gw, null).statusCode()).as("no key").isEqualTo(400);

        // the banner's `bulwark sign` line, run in-process: the headers it prints
        StringWriter out = new StringWriter();
        CommandLine cli = new CommandLine(new dev.bulwark.cli.Main());
        cli.setOut(new PrintWriter(out, true));
        int exit =
            cli.execute(
                "sign",
                "--url",
                gw.url("/api/signed/hello"),
                "--key-id",
                DemoConfig.SIGNING_KEY_ID,
                "--key-file",
                contract.resolveSibling(DemoConfig.SIGNING_KEY_FILE).toString());
        assertThat(exit).as(out.toString()).isZero();
        List<String> headers = out.toString().lines().filter(l -> l.contains(": ")).toList();
        assertThat(headers).hasSizeGreaterThanOrEqualTo(2);
        HttpResponse<String> signed = signed(gw, headers);
        assertThat(signed.statusCode()).as(signed.body()).isEqualTo(200);
        assertThat(signed.body()).contains(DemoConfig.SIGNING_KEY_ID);
        assertThat(signed(gw, headers).statusCode()).as("the replay").isEqualTo(401);
      }
    } finally {
      vertx.close();
    }
  }

  private static HttpResponse<String> pay(
      TestGateway gw, @org.jspecify.annotations.Nullable String key) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(gw.url("/api/payments")))
            .header("content-type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString("{\"amount\":5}"));
    if (key != null) {
      b.header("Idempotency-Key", key);
    }
    return gw.client().send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static HttpResponse<String> signed(TestGateway gw, List<String> headers)
      throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(gw.url("/api/signed/hello")));
    for (String h : headers) {
      int colon = h.indexOf(": ");
      b.header(h.substring(0, colon), h.substring(colon + 2));
    }
    return gw.client().send(b.build(), HttpResponse.BodyHandlers.ofString());
  }
}
