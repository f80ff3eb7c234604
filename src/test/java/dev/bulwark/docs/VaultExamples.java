package dev.bulwark.docs;

import dev.bulwark.testing.TestVault;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Lets documentation examples with a top-level {@code vault:} section load: one {@link TestVault}
 * (Vault's HTTP API over TLS, started once) stands in for the Vault they name. The section's {@code
 * address} and {@code ca} point at it, a {@code jwt-file} at the placeholder secret file; the
 * placeholder secret ({@code placeholder}) is accepted as token, AppRole secret id and service
 * account token for the role the example names; every {@code ${vault:..}} reference in the example
 * is written to the server with a 64-character value.
 */
final class VaultExamples {
  private static final Pattern SECTION =
      Pattern.compile("(?ms)^vault:[ \\t]*\\n(?:(?:[ \\t]+[^\\n]*|[ \\t]*)\\n)*");
  private static final Pattern REFERENCE =
      Pattern.compile("\\$\\{vault:([A-Za-z0-9_./-]+?)/data/([A-Za-z0-9_./-]+)#([A-Za-z0-9_.-]+)}");
  private static final Pattern ROLE_ID = Pattern.compile("role-id:[ \\t]*\"?([^\\s,}\"]+)");
  private static final Pattern ROLE = Pattern.compile("(?<![-\\w])role:[ \\t]*\"?([^\\s,}\"]+)");
  private static final String PLACEHOLDER = "placeholder";

  private static @Nullable TestVault vault;

  private VaultExamples() {}

  /** Returns the example rewritten to use the test Vault, or unchanged when it names no Vault. */
  static synchronized String prepare(String yaml, Path work) throws Exception {
    Matcher section = SECTION.matcher(yaml);
    if (!section.find()) {
      return yaml;
    }
    TestVault v = vault;
    if (v == null) {
      v = TestVault.start(work);
      v.acceptToken(PLACEHOLDER);
      vault = v;
    }
    String block = section.group();
    Matcher roleId = ROLE_ID.matcher(block);
    if (roleId.find()) {
      v.approle(roleId.group(1), PLACEHOLDER);
    }
    Matcher role = ROLE.matcher(block);
    if (role.find()) {
      v.kubernetes(role.group(1), PLACEHOLDER);
    }
    String rewritten =
        block
            .replaceAll(
                "(?m)^([ \\t]+address:[ \\t]*)\\S+", "$1" + Matcher.quoteReplacement(v.address()))
            .replaceAll(
                "(?m)(ca:[ \\t]*)\"[^\"]*\"",
                "$1\"" + Matcher.quoteReplacement(v.caFile().toString()) + "\"")
            .replaceAll(
                "(jwt-file:[ \\t]*)[^\\s,}]+",
                "$1\"" + Matcher.quoteReplacement(work.resolve("secret.txt").toString()) + "\"");
    Map<String, Map<String, String>> secrets = new LinkedHashMap<>();
    Matcher ref = REFERENCE.matcher(yaml);
    while (ref.find()) {
      secrets
          .computeIfAbsent(ref.group(1) + "\u0000" + ref.group(2), k -> new HashMap<>())
          .put(ref.group(3), "p".repeat(64));
    }
    for (Map.Entry<String, Map<String, String>> e : secrets.entrySet()) {
      String[] mountPath = e.getKey().split("\u0000", 2);
      v.put(mountPath[0], mountPath[1], e.getValue());
    }
    return yaml.substring(0, section.start()) + rewritten + yaml.substring(section.end());
  }
}
