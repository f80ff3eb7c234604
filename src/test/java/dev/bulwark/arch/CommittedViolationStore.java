package dev.bulwark.arch;

import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.library.freeze.TextFileBasedViolationStore;
import com.tngtech.archunit.library.freeze.ViolationStore;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.regex.Pattern;

/**
 * The committed store of known architecture violations: one text file per rule, named after the
 * rule, under {@code src/test/resources/archunit_store}, without line numbers; a rule that has no
 * entry yet is refused unless {@code archunit.freeze.store.default.allowStoreCreation=true}, so
 * renaming or adding a rule never silently records its violations as known.
 */
public final class CommittedViolationStore implements ViolationStore {
  private static final String ALLOW_CREATION = "default.allowStoreCreation";
  private static final Pattern LINE_NUMBER = Pattern.compile("(\\.java):\\d+\\)");

  private final TextFileBasedViolationStore files =
      new TextFileBasedViolationStore(CommittedViolationStore::fileName);
  private boolean creationAllowed;

  @Override
  public void initialize(Properties properties) {
    files.initialize(properties);
    creationAllowed = Boolean.parseBoolean(properties.getProperty(ALLOW_CREATION, "false"));
  }

  @Override
  public boolean contains(ArchRule rule) {
    return files.contains(rule);
  }

  @Override
  public void save(ArchRule rule, List<String> violations) {
    if (!files.contains(rule) && !creationAllowed) {
      throw new IllegalStateException(
          "architecture rule '"
              + rule.getDescription()
              + "' has no entry in src/test/resources/archunit_store: to record its "
              + violations.size()
              + " current violations as known, run mvn -B test -Dtest=ArchitectureTest"
              + " -Darchunit.freeze.store.default.allowStoreCreation=true, then review and commit"
              + " the store (see CONTRIBUTING.md)");
    }
    files.save(rule, violations.stream().map(CommittedViolationStore::withoutLineNumber).toList());
  }

  /**
   * Drops the line number of a violation ({@code (Foo.java:42)} becomes {@code (Foo.java:0)}): the
   * comparison ignores it anyway, and unrelated edits above an import then leave the store as is.
   */
  static String withoutLineNumber(String violation) {
    return LINE_NUMBER.matcher(violation).replaceAll("$1:0)");
  }

  @Override
  public List<String> getViolations(ArchRule rule) {
    return files.getViolations(rule);
  }

  /** Names a rule's file after its description, so the store reads as a list of rules. */
  static String fileName(String ruleDescription) {
    String slug =
        ruleDescription.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("-$", "");
    return slug.replaceAll("^-", "") + ".txt";
  }
}
