package dev.bulwark.cli;

import dev.bulwark.demo.DemoIssuer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code bulwark token}: mints a token from the demo issuer's key (for trying the demo). */
@Command(
    name = "token",
    description = "Mint a demo bearer token signed with the key a running `bulwark demo` wrote.",
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

  @Override
  public Integer call() throws Exception {
    if (ttlMinutes < 1 || ttlMinutes > 24 * 60) {
      System.err.println("bulwark token: --ttl-minutes between 1 and 1440");
      return 2;
    }
    System.out.println(
        DemoIssuer.load(key).mint(subject, roles, orgs, Duration.ofMinutes(ttlMinutes)));
    return 0;
  }
}
