package dev.bulwark.arch;

import static com.tngtech.archunit.base.DescribedPredicate.describe;
import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.lang.conditions.ArchConditions.onlyHaveDependenciesWhere;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.ArchConfiguration;
import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.Dependency;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.library.freeze.FreezingArchRule;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The layering of DESIGN.md ("Arrows point down…") as rules over the compiled main classes: a wrong
 * import fails the build with the rule's name.
 *
 * <p>Each rule is frozen ({@link FreezingArchRule}): the violations that existed when the rule was
 * written are listed, one text file per rule, in {@code src/test/resources/archunit_store} (see
 * {@link CommittedViolationStore}; settings in {@code src/test/resources/archunit.properties}).
 * Only a violation that is not in that list fails. When a refactor removes violations, this test
 * deletes them from the store as it runs: commit the shrunk files with the refactor, so that they
 * cannot come back unnoticed. Never add lines by hand. Accepting a new violation on purpose
 * (reviewed, rare) is {@code mvn -B test -Dtest=ArchitectureTest -Darchunit.freeze.refreeze=true},
 * which records every current violation; review {@code git diff src/test/resources/archunit_store}.
 * A new or renamed rule needs {@code -Darchunit.freeze.store.default.allowStoreCreation=true} once;
 * delete the entry of a renamed or removed rule from {@code stored.rules}, with its file.
 *
 * <p>Rules written after the code already kept them ({@link #POLICIES_IMPORT_NO_ENDPOINT}, {@link
 * #ADMIN_AND_BLOCKING_IMPORT_NO_POLICY}) are not frozen: any violation fails.
 *
 * <p>These are plain JUnit tests calling {@code check}: Surefire 3.5.3 (pinned here) does not run
 * ArchUnit's {@code @ArchTest} fields (SUREFIRE-2298).
 */
class ArchitectureTest {
  private static final JavaClasses MAIN =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages("dev.bulwark");

  /** The core: it runs policies through the catalog and the pipeline, never by name. */
  private static final String[] CORE = {
    "dev.bulwark.config..",
    "dev.bulwark.server..",
    "dev.bulwark.pipeline..",
    "dev.bulwark.exchange..",
    "dev.bulwark.routing..",
    "dev.bulwark.net..",
    "dev.bulwark.store..",
    "dev.bulwark.observe..",
    "dev.bulwark.probe..",
  };

  static final ArchRule CORE_IMPORTS_NO_POLICY_PACKAGE =
      noClasses()
          .that()
          .resideInAnyPackage(CORE)
          .should()
          .dependOnClassesThat()
          .resideInAPackage("dev.bulwark.policy.*..")
          .as(
              "core packages (config, server, pipeline, exchange, routing, net, store, observe,"
                  + " probe) import no policy/<name> package");

  static final ArchRule POLICY_IMPORTS_NO_OTHER_POLICY =
      classes()
          .that()
          .resideInAPackage("dev.bulwark.policy.*..")
          .should(onlyHaveDependenciesWhere(notIntoAnotherPolicy()))
          .as("a policy/<name> package imports no other policy/<name> package");

  static final ArchRule LOWER_LAYERS_IMPORT_NO_POLICY =
      noClasses()
          .that()
          .resideInAnyPackage(
              "dev.bulwark.store..",
              "dev.bulwark.observe..",
              "dev.bulwark.probe..",
              "dev.bulwark.identity..",
              "dev.bulwark.audit..",
              "dev.bulwark.access..")
          .should()
          .dependOnClassesThat()
          .resideInAPackage("dev.bulwark.policy..")
          .as("store, observe, probe, identity, audit and access import no policy package");

  static final ArchRule PROBE_STANDS_ALONE =
      noClasses()
          .that()
          .resideInAPackage("dev.bulwark.probe..")
          .should()
          .dependOnClassesThat(
              resideInAPackage("dev.bulwark..").and(not(resideInAPackage("dev.bulwark.probe.."))))
          .as("probe imports nothing else of Bulwark");

  static final ArchRule SECRET_STANDS_ALONE =
      noClasses()
          .that()
          .resideInAPackage("dev.bulwark.secret..")
          .should()
          .dependOnClassesThat(
              resideInAPackage("dev.bulwark..").and(not(resideInAPackage("dev.bulwark.secret.."))))
          .as("secret (the Vault client) imports nothing else of Bulwark");

  /**
   * Endpoints sit above the policies and read what they need from them; a policy never names an
   * endpoint, the admin listener or the server. Written with no violation, so checked as is.
   */
  static final ArchRule POLICIES_IMPORT_NO_ENDPOINT =
      noClasses()
          .that()
          .resideInAPackage("dev.bulwark.policy..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage(
              "dev.bulwark.endpoint..", "dev.bulwark.admin..", "dev.bulwark.server..")
          .as("policy packages import no endpoint, admin or server package");

  /**
   * The admin listener works over the store SPI and the audit events, and the blocking executor
   * over the exchange: neither knows a policy. Written with no violation, so checked as is.
   */
  static final ArchRule ADMIN_AND_BLOCKING_IMPORT_NO_POLICY =
      noClasses()
          .that()
          .resideInAnyPackage("dev.bulwark.admin..", "dev.bulwark.blocking..")
          .should()
          .dependOnClassesThat()
          .resideInAPackage("dev.bulwark.policy..")
          .as("admin and blocking import no policy package");

  static final ArchRule NO_PACKAGE_CYCLES =
      slices()
          .matching("dev.bulwark.(*)..")
          .should()
          .beFreeOfCycles()
          .as("the top-level packages of Bulwark form no cycle");

  @Test
  void corePackagesImportNoPolicyPackage() {
    frozen(CORE_IMPORTS_NO_POLICY_PACKAGE).check(MAIN);
  }

  @Test
  void noPolicyImportsAnotherPolicy() {
    frozen(POLICY_IMPORTS_NO_OTHER_POLICY).check(MAIN);
  }

  @Test
  void storeObserveProbeIdentityAuditAndAccessImportNoPolicy() {
    frozen(LOWER_LAYERS_IMPORT_NO_POLICY).check(MAIN);
  }

  @Test
  void probeImportsNothingElseOfBulwark() {
    frozen(PROBE_STANDS_ALONE).check(MAIN);
  }

  @Test
  void secretImportsNothingElseOfBulwark() {
    SECRET_STANDS_ALONE.check(MAIN);
  }

  @Test
  void policiesImportNoEndpointAdminOrServer() {
    POLICIES_IMPORT_NO_ENDPOINT.check(MAIN);
  }

  @Test
  void adminAndBlockingImportNoPolicy() {
    ADMIN_AND_BLOCKING_IMPORT_NO_POLICY.check(MAIN);
  }

  @Test
  void topLevelPackagesFormNoCycle() {
    // A known cycle stays known while its path is the same; new imports along it are caught by the
    // import rules above, and the store keeps the dependencies listed when the cycle was recorded.
    frozen(NO_PACKAGE_CYCLES)
        .associateViolationLinesVia(ArchitectureTest::sameCyclePath)
        .check(MAIN);
  }

  @Test
  void theStoreListsExactlyTheseRules() throws IOException {
    Path index =
        Path.of(ArchConfiguration.get().getProperty("freeze.store.default.path"), "stored.rules");
    Properties stored = new Properties();
    try (Reader r = Files.newBufferedReader(index, StandardCharsets.UTF_8)) {
      stored.load(r);
    }
    assertThat(stored.stringPropertyNames())
        .as("rules in %s (delete the entry and file of a rule that was renamed or removed)", index)
        .containsExactlyInAnyOrderElementsOf(
            Stream.of(
                    CORE_IMPORTS_NO_POLICY_PACKAGE,
                    POLICY_IMPORTS_NO_OTHER_POLICY,
                    LOWER_LAYERS_IMPORT_NO_POLICY,
                    PROBE_STANDS_ALONE,
                    NO_PACKAGE_CYCLES)
                .map(ArchRule::getDescription)
                .toList());
  }

  private static FreezingArchRule frozen(ArchRule rule) {
    return FreezingArchRule.freeze(rule).persistIn(new CommittedViolationStore());
  }

  /** Allows a dependency unless it goes from one policy/<name> package into another. */
  private static DescribedPredicate<Dependency> notIntoAnotherPolicy() {
    return describe(
        "no dependency goes into another policy/<name> package",
        d -> {
          String target = policyOf(d.getTargetClass());
          return target.isEmpty() || target.equals(policyOf(d.getOriginClass()));
        });
  }

  /** Returns the policy name of a class in {@code dev.bulwark.policy.<name>..}, else "". */
  static String policyOf(JavaClass c) {
    String prefix = "dev.bulwark.policy.";
    String pkg = c.getPackageName();
    if (!pkg.startsWith(prefix)) {
      return "";
    }
    int end = pkg.indexOf('.', prefix.length());
    return end < 0 ? pkg.substring(prefix.length()) : pkg.substring(prefix.length(), end);
  }

  /** Compares two cycle violations by their path of slices only, not the dependencies listed. */
  static boolean sameCyclePath(String actual, String stored) {
    return cyclePath(actual).equals(cyclePath(stored));
  }

  private static String cyclePath(String violation) {
    int details = violation.indexOf("\n  1. Dependencies of ");
    return details < 0 ? violation : violation.substring(0, details);
  }
}
