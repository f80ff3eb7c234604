package dev.bulwark.cli;

import dev.bulwark.config.ConfigException;
import dev.bulwark.config.ConfigLoader;
import dev.bulwark.config.SecretResolver;
import dev.bulwark.endpoint.EndpointCatalog;
import dev.bulwark.observe.ConsoleLogging;
import dev.bulwark.observe.StdoutLogSink;
import dev.bulwark.policy.PolicyCatalog;
import dev.bulwark.server.Gateway;
import dev.bulwark.server.ListenException;
import dev.bulwark.store.StoreUnavailable;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.logging.Level;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code bulwark run -c bulwark.yaml}: the gateway for production. */
@Command(
    name = "run",
    description = {
      "Run the gateway with a configuration file.",
      "Exit codes: 1 configuration refused, 2 usage error, 3 could not start (an address in"
          + " use, a port it may not bind); stopped by a signal, the signal's (143, 130)."
    },
    mixinStandardHelpOptions = true)
final class RunCommand implements Callable<Integer> {
  /** Exit status when the configuration is refused. */
  static final int EXIT_INVALID = 1;

  /** Exit status when a listener could not start. */
  static final int EXIT_CANNOT_START = 3;

  @Mixin ConfigFileOption configOption = new ConfigFileOption();

  @Option(
      names = "--no-watch",
      description = "Do not reload when the files change (SIGHUP still reloads).")
  boolean noWatch;

  @CommandLine.Spec
  @SuppressWarnings("NullAway.Init")
  CommandLine.Model.CommandSpec spec;

  private Path config() {
    return configOption.file;
  }

  @Override
  public Integer call() throws Exception {
    ConsoleLogging.install(Level.INFO);
    PrintWriter err = spec.commandLine().getErr();
    ConfigLoader.Loaded loaded;
    // One resolver for the first load and every reload: it holds the Vault session.
    SecretResolver secrets = SecretResolver.fromProcessEnvironment();
    try {
      loaded = EndpointCatalog.standard().loader(PolicyCatalog.standard(), secrets).load(config());
    } catch (ConfigException e) {
      secrets.close();
      CheckConfigCommand.print(e.problems(), err);
      err.println("bulwark run: " + config() + " refused; nothing started");
      err.flush();
      return EXIT_INVALID;
    }
    CheckConfigCommand.print(loaded.warnings(), err);
    StdoutLogSink sink = new StdoutLogSink();
    // Before anything starts: a SIGTERM during the start still closes what started.
    ShutdownHook hook = ShutdownHook.install(sink);
    Gateway gateway;
    try {
      gateway = Gateway.start(loaded.config(), config(), sink, secrets);
    } catch (ListenException e) {
      hook.nothingStarted();
      sink.close();
      return cannotStart("bulwark run", e, err);
    } catch (StoreUnavailable e) {
      hook.nothingStarted();
      sink.close();
      err.println("bulwark run: " + e.getMessage());
      err.flush();
      return EXIT_CANNOT_START;
    } catch (Exception | Error e) {
      hook.nothingStarted();
      throw e;
    }
    hook.started(gateway);
    gateway.watch(noWatch ? Duration.ofDays(3650) : Duration.ofSeconds(2));
    err.println(
        "bulwark: https on port "
            + gateway.httpsPort()
            + (gateway.httpPort() > 0 ? ", redirect on " + gateway.httpPort() : "")
            + (gateway.adminPort() > 0 ? ", admin on " + gateway.adminPort() : "")
            + " ("
            + gateway.engines()
            + ")");
    err.flush();
    hook.await();
    return 0;
  }

  /** Prints why a listener did not start, in one line, and returns the exit status. */
  static int cannotStart(String command, ListenException e, PrintWriter err) {
    err.println(command + ": " + e.getMessage());
    err.flush();
    return EXIT_CANNOT_START;
  }

  /** Closes {@code gateway} and {@code sink} on SIGTERM, and waits until then. */
  static void awaitShutdown(Gateway gateway, StdoutLogSink sink) throws InterruptedException {
    ShutdownHook hook = ShutdownHook.install(sink);
    hook.started(gateway);
    hook.await();
  }
}
