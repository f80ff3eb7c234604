package dev.bulwark.cli;

import dev.bulwark.config.ConfigException;
import dev.bulwark.config.ConfigLoader;
import dev.bulwark.config.SecretResolver;
import dev.bulwark.endpoint.EndpointCatalog;
import dev.bulwark.exchange.IpAddresses;
import dev.bulwark.fixture.FixtureFile;
import dev.bulwark.fixture.FixtureRequest;
import dev.bulwark.pipeline.Decision;
import dev.bulwark.pipeline.TraceLines;
import dev.bulwark.policy.PolicyCatalog;
import dev.bulwark.server.OfflineGateway;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code bulwark explain -c FILE [METHOD] PATH}: the decision trace of one request through the
 * compiled configuration, stage by stage, with no listener and no upstream. Exit 0 when the request
 * was traced (whatever was decided), 1 when the configuration is refused, 2 usage.
 */
@Command(
    name = "explain",
    description = {
      "Show how a configuration decides one request, stage by stage: the route matched and why,",
      "each policy's verdict, the status and headers the client would get.",
      "Nothing listens and nothing is forwarded. Exit codes: 0 traced, 1 invalid config, 2 usage."
    },
    mixinStandardHelpOptions = true)
final class ExplainCommand implements Callable<Integer> {
  @Mixin ConfigFileOption configOption = new ConfigFileOption();

  @Parameters(
      arity = "1..2",
      paramLabel = "[METHOD] PATH",
      description = "The request: an optional method (default GET) and the path with its query.")
  @SuppressWarnings("NullAway.Init")
  List<String> request;

  @Option(
      names = {"-H", "--header"},
      paramLabel = "'NAME: VALUE'",
      description = "A request header (repeatable).")
  List<String> headers = new ArrayList<>();

  @Option(names = "--host", description = "The Host (default: localhost).")
  String host = "localhost";

  @Option(names = "--client", description = "The client address (default: 192.0.2.10).")
  String client = "192.0.2.10";

  @Option(names = "--body", description = "The request body, as text.")
  @Nullable String body;

  @Option(
      names = "--time",
      paramLabel = "TIME",
      description =
          "The clock time at which tokens are checked, such as 2030-01-01T00:00:00Z (default: now).")
  @Nullable String time;

  @CommandLine.Spec
  @SuppressWarnings("NullAway.Init")
  CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    String method = request.size() == 2 ? request.get(0).toUpperCase(Locale.ROOT) : "GET";
    String target = request.get(request.size() - 1);
    if (!target.startsWith("/")) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), "PATH '" + target + "' must start with /");
    }
    if (IpAddresses.parse(client) == null) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), "--client '" + client + "' is not an IP address");
    }
    String clock = time;
    Instant at = clock == null ? null : FixtureFile.parseTime(clock);
    if (clock != null && at == null) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), "--time '" + clock + "' is not a time such as 2030-01-01T00:00:00Z");
    }
    Map<String, List<String>> h = new LinkedHashMap<>();
    for (String line : headers) {
      int colon = line.indexOf(':');
      if (colon <= 0) {
        throw new CommandLine.ParameterException(
            spec.commandLine(), "--header '" + line + "' is not 'NAME: VALUE'");
      }
      h.computeIfAbsent(
              line.substring(0, colon).trim().toLowerCase(Locale.ROOT), k -> new ArrayList<>())
          .add(line.substring(colon + 1).trim());
    }
    ConfigLoader.Loaded loaded;
    try {
      loaded =
          EndpointCatalog.standard()
              .loader(PolicyCatalog.standard(), SecretResolver.fromProcessEnvironment())
              .load(configOption.file);
    } catch (ConfigException e) {
      CheckConfigCommand.print(e.problems(), out);
      out.println(configOption.file + ": invalid (" + e.problems().size() + " errors)");
      out.flush();
      return 1;
    }
    FixtureRequest r =
        new FixtureRequest(
            method,
            target,
            host.toLowerCase(Locale.ROOT),
            h,
            body,
            client,
            null,
            FixtureRequest.UpstreamAnswer.OK,
            at);
    TraceLines trace = new TraceLines();
    try (OfflineGateway gateway = OfflineGateway.compile(loaded.config())) {
      OfflineGateway.Traced t = gateway.run(r, trace);
      Decision d = t.decision();
      out.println(TraceLines.requestLine(method, target, host, client));
      for (String line : trace.lines()) {
        out.println(line);
      }
      out.println(
          TraceLines.resultLine(
              d.status(),
              d.outcome().name().toLowerCase(Locale.ROOT),
              t.stage(),
              d.policy(),
              d.reason()));
      for (Map.Entry<String, List<String>> e : d.headers().entrySet()) {
        for (String v : e.getValue()) {
          out.println("header    " + e.getKey() + ": " + v);
        }
      }
    }
    out.flush();
    return 0;
  }
}
