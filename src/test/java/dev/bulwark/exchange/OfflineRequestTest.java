package dev.bulwark.exchange;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The request view of plain values that offline runs hand to policies. */
class OfflineRequestTest {
  @Test
  void theTargetSplitsIntoPathAndRawQueryAndAParameterGivenTwiceReadsAsAbsent() {
    OfflineRequest r =
        OfflineRequest.builder("GET", "/api/items?q=a%20b&page=1&page=2&empty=").build();

    assertThat(r.path()).isEqualTo("/api/items");
    assertThat(r.query()).isEqualTo("q=a%20b&page=1&page=2&empty=");
    assertThat(r.queryParam("q")).isEqualTo("a b");
    assertThat(r.queryParam("page")).isNull();
    assertThat(r.queryParam("missing")).isNull();
    assertThat(OfflineRequest.builder("GET", "/x").build().query()).isNull();
  }

  @Test
  void headersCompareInAnyCaseAndKeepTheirOrder() {
    OfflineRequest r =
        OfflineRequest.builder("GET", "/x")
            .header("X-Forwarded-For", "10.0.0.1")
            .header("x-forwarded-for", "10.0.0.2")
            .build();

    assertThat(r.header("X-FORWARDED-FOR")).isEqualTo("10.0.0.1");
    assertThat(r.headers("x-forwarded-for")).containsExactly("10.0.0.1", "10.0.0.2");
    r.removeHeaderForUpstream("X-Forwarded-For");
    assertThat(r.hasHeader("x-forwarded-for")).isFalse();
  }

  @Test
  void aBodyDeclaresItsLengthUnlessTheRequestFramesItItself() {
    OfflineRequest declared = OfflineRequest.builder("POST", "/x").body("hello").build();
    OfflineRequest framed =
        OfflineRequest.builder("POST", "/x")
            .header("Transfer-Encoding", "chunked")
            .body("hello")
            .build();
    OfflineRequest none = OfflineRequest.builder("GET", "/x").build();

    assertThat(declared.header("content-length")).isEqualTo("5");
    assertThat(declared.hasBody()).isTrue();
    assertThat(framed.hasHeader("content-length")).isFalse();
    assertThat(none.hasBody()).isFalse();
  }

  @Test
  void aBodyOverTheReadersLimitIsRefusedWith413AfterCountingIt() {
    List<String> events = new ArrayList<>();
    BodyReader reader =
        new BodyReader() {
          @Override
          public boolean wanted() {
            return true;
          }

          @Override
          public void received(int bytes) {
            events.add("received " + bytes);
          }

          @Override
          public void body(byte[] body) {
            events.add("body " + body.length);
          }

          @Override
          public void refused(Denial denial) {
            events.add("refused " + denial.status());
          }
        };
    OfflineRequest r = OfflineRequest.builder("POST", "/x").body("hello").build();

    r.readBody(4, reader);
    r.readBody(5, reader);

    assertThat(events).containsExactly("received 5", "refused 413", "received 5", "body 5");
  }

  @Test
  void oneBuilderMakesRequestsThatChangeIndependently() {
    OfflineRequest.Builder b = OfflineRequest.builder("GET", "/x").header("Authorization", "t");
    OfflineRequest first = b.build();
    OfflineRequest second = b.build();

    first.removeHeaderForUpstream("authorization");

    assertThat(second.header("authorization")).isEqualTo("t");
  }

  @Test
  void plainHeadersListEveryNameInLowerCaseInOrderOfFirstAppearance() {
    PlainHeaders h = new PlainHeaders();
    h.add("Vary", "Origin").add("X-Request-Id", "r1").add("vary", "Accept");

    assertThat(h.toMap())
        .containsExactly(
            java.util.Map.entry("vary", List.of("Origin", "Accept")),
            java.util.Map.entry("x-request-id", List.of("r1")));
  }
}
