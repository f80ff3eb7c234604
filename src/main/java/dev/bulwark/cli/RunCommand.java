package dev.bulwark.cli;

import dev.bulwark.config.ConfigException;
import dev.bulwark.config.ConfigLoader;
import dev.bulwark.config.Problem;
import dev.bulwark.config.SecretResolver;
import dev.bulwark.observe.ConsoleLogging;
import dev.bulwark.observe.StdoutLogSink;
import dev.bulwark.server.Gateway;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.logging.Level;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code bulwark run -c bulwark.yaml}: the gateway for production. */
@Command(
    name = "run",
    description = "Run the gateway with a configuration file.",
    mixinStandardHelpOptions = true)
final class RunCommand implements Callable<Integer> {
  @Mixin ConfigFileOption configOption = new ConfigFileOption();

  @Option(
      names = "--no-watch",
      description = "Do not reload when the files change (SIGHUP still reloads).")
  boolean noWatch;

  private Path config() {
    return configOption.file;
  }

  @Override
  public Integer call() throws Exception {
    ConsoleLogging.install(Level.INFO);
    ConfigLoader.Loaded loaded;
    try {
      loaded = new ConfigLoader(SecretResolver.fromProcessEnvironment()).load(config());
    } catch (ConfigException e) {
      CheckConfigCommand.print(e.problems(), System.err);
      return 1;
    }
    for (Problem w : loaded.warnings()) {
      System.err.println("warning: " + w);
    }
    StdoutLogSink sink = new StdoutLogSink();
    Gateway gateway =
        Gateway.start(loaded.config(), config(), sink, SecretResolver.fromProcessEnvironment());
    gateway.watch(noWatch ? Duration.ofDays(3650) : Duration.ofSeconds(2));
    System.err.println(
        "bulwark: https on port "
            + gateway.httpsPort()
            + (gateway.httpPort() > 0 ? ", redirect on " + gateway.httpPort() : "")
            + (gateway.adminPort() > 0 ? ", admin on " + gateway.adminPort() : "")
            + " ("
            + gateway.engines()
            + ")");
    awaitShutdown(gateway, sink);
    return 0;
  }

  static void awaitShutdown(Gateway gateway, StdoutLogSink sink) throws InterruptedException {
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  gateway.close();
                  sink.close();
                  stopped.countDown();
                },
                "bulwark-shutdown"));
    stopped.await();
  }
}
