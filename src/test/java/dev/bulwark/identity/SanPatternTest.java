package dev.bulwark.identity;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.identity.SanPattern.Kind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The wildcard syntax of certificate name rules: whole segments and labels, nothing more. */
class SanPatternTest {

  @ParameterizedTest
  @CsvSource({
    "spiffe://example.org/ns/prod/sa/orders, spiffe://example.org/ns/prod/sa/orders, true",
    "spiffe://example.org/ns/prod/sa/orders, spiffe://example.org/ns/prod/sa/orders2, false",
    "spiffe://example.org/ns/prod/sa/*, spiffe://example.org/ns/prod/sa/orders, true",
    "spiffe://example.org/ns/prod/sa/*, spiffe://example.org/ns/prod/sa/orders/x, false",
    "spiffe://example.org/ns/prod/sa/*, spiffe://example.org/ns/prod/sa/, false",
    "spiffe://example.org/ns/prod/sa/*, spiffe://example.org/ns/prod/sa/.., false",
    "spiffe://example.org/ns/*/sa/orders, spiffe://example.org/ns/dev/sa/orders, true",
    "spiffe://example.org/ns/prod/**, spiffe://example.org/ns/prod/sa/orders, true",
    "spiffe://example.org/ns/prod/**, spiffe://example.org/ns/prod, false",
    "spiffe://example.org/ns/prod/**, spiffe://example.org/ns/prod/sa/../../admin, false",
    "spiffe://example.org/ns/prod/sa/*, spiffe://evil.org/ns/prod/sa/orders, false",
    "spiffe://example.org/ns/prod/sa/*, spiffe://example.org.evil/ns/prod/sa/orders, false",
    "spiffe://example.org/ns/prod/sa/*, SPIFFE://example.org/ns/prod/sa/orders, false",
  })
  void uriPatterns(String pattern, String name, boolean matches) {
    assertThat(new SanPattern(Kind.URI, pattern).matches(name)).isEqualTo(matches);
  }

  @ParameterizedTest
  @CsvSource({
    "orders.example.org, ORDERS.example.org, true",
    "*.svc.example.org, orders.svc.example.org, true",
    "*.svc.example.org, a.orders.svc.example.org, false",
    "*.svc.example.org, svc.example.org, false",
    "*.svc.example.org, orders.svc.example.org.evil, false",
  })
  void dnsPatterns(String pattern, String name, boolean matches) {
    assertThat(new SanPattern(Kind.DNS, pattern).matches(name)).isEqualTo(matches);
  }

  @ParameterizedTest
  @CsvSource({
    "ops@example.org, ops@EXAMPLE.org, true",
    "ops@example.org, Ops@example.org, false",
    "*@example.org, anyone@example.org, true",
    "*@example.org, a@b@example.org, false",
    "*@example.org, anyone@example.org.evil, false",
  })
  void emailPatterns(String pattern, String name, boolean matches) {
    assertThat(new SanPattern(Kind.EMAIL, pattern).matches(name)).isEqualTo(matches);
  }

  @Test
  void subjectsCompareAsDistinguishedNames() {
    SanPattern p = new SanPattern(Kind.SUBJECT, "CN=orders, O=Example");
    assertThat(p.matches("cn=orders,o=example")).isTrue();
    assertThat(p.matches("CN=orders,O=Example,C=US")).isFalse();
  }

  @ParameterizedTest
  @CsvSource({
    "URI, spiffe://*/ns/prod",
    "URI, spiffe://example.org/ns/pr*d",
    "URI, spiffe://example.org/**/orders",
    "URI, example.org/ns",
    "DNS, orders.*.example.org",
    "DNS, *example.org",
    "EMAIL, ops*@example.org",
    "EMAIL, ops@*.example.org",
    "SUBJECT, not a dn",
  })
  void wildcardsOutsideTheDocumentedSyntaxAreRefused(Kind kind, String pattern) {
    assertThat(SanPattern.problem(kind, pattern)).isNotNull();
  }
}
