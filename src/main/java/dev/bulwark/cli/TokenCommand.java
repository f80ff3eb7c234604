package dev.bulwark.cli;

import dev.bulwark.config.ReadableFile;
import dev.bulwark.demo.DemoIssuer;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code bulwark token}: mints a token from the demo issuer's key (for trying the demo). */
@Command(
    name = "token",
    description = {
      "Mint a demo bearer token signed with the key a running `bulwark demo` wrote.",
      "Exit codes: 0 printed, 1 the key cannot be used, 2 usage error."
    },
    mixinStandardHelpOptions = true)
final class TokenCommand implements Callable<Integer> {
  @Option(
      names = "--key",
      required = true,
      description = "The demo's private key file (printed by `bulwark demo`).")
  @SuppressWarnings("NullAway.Init")
  Path key;

  @Option(
      names = "--sub",
      defaultValue = "demo-user",
      description = "Subject (default: ${DEFAULT-VALUE}).")
  String subject = "demo-user";

  @Option(names = "--role", description = "A role (repeatable).")
  List<String> roles = new ArrayList<>();

  @Option(names = "--org", description = "An organisation membership (repeatable).")
  List<String> orgs = new ArrayList<>();

  @Option(
      names = "--ttl-minutes",
      defaultValue = "60",
      description = "Lifetime in minutes (default: ${DEFAULT-VALUE}).")
  int ttlMinutes = 60;

  @CommandLine.Spec
  @SuppressWarnings("NullAway.Init")
  CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    PrintWriter err = spec.commandLine().getErr();
    if (ttlMinutes < 1 || ttlMinutes > 24 * 60) {
      err.println(
          "bulwark token: --ttl-minutes: " + ttlMinutes + " (expected: between 1 and 1440)");
      err.flush();
      return Main.EXIT_USAGE;
    }
    String problem = ReadableFile.problem(key, 64 * 1024);
    @Nullable DemoIssuer issuer = null;
    if (problem == null) {
      try {
        issuer = DemoIssuer.load(key);
      } catch (IOException e) {
        problem = "not the demo issuer's key";
      }
    }
    if (issuer == null) {
      err.println(
          "bulwark token: --key "
              + key
              + ": "
              + problem
              + " (expected: the "
              + DemoIssuer.PRIVATE_FILE
              + " that bulwark demo wrote and printed; a PEM key cannot sign demo tokens)");
      err.flush();
      return 1;
    }
    spec.commandLine()
        .getOut()
        .println(issuer.mint(subject, roles, orgs, Duration.ofMinutes(ttlMinutes)));
    spec.commandLine().getOut().flush();
    return 0;
  }
}
