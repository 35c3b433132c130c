package com.seedim.im.bench;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.List;
import java.util.concurrent.Callable;

/** {@code java -jar seedim-bench.jar suite|relay|worker ...} */
@Command(name = "seedim-bench", mixinStandardHelpOptions = true, subcommands = {Suite.class, BenchMain.Relay.class, BenchMain.WorkerCmd.class, BenchMain.ReportCmd.class},
  description = "SeedIM load generator, same-run relay baseline and report writer.")
public final class BenchMain implements Callable<Integer> {
  public static void main(String[] args) {
    int code = new CommandLine(new BenchMain()).execute(args);
    if (code != 0 || (args.length > 0 && !args[0].equals("relay"))) {
      System.exit(code);
    }
  }

  @Override
  public Integer call() {
    CommandLine.usage(this, System.out);
    return 0;
  }

  @Command(name = "relay", description = "Run the baseline relay (until killed).")
  static final class Relay implements Callable<Integer> {
    @Option(names = "--host", defaultValue = "127.0.0.1") String host;
    @Option(names = "--port", defaultValue = "18090") int port;
    @Option(names = "--instances", defaultValue = "2") int instances;

    @Override
    public Integer call() {
      RelayServer.run(host, port, instances);
      return 0;
    }
  }

  @Command(name = "report", description = "Rewrite docs/benchmarks.md and the plots from a saved results.json (a soak's or the webhooks scenario's results.json: its section only).")
  static final class ReportCmd implements Callable<Integer> {
    @Option(names = "--results", required = true) java.nio.file.Path results;
    @Option(names = "--compare", description = "results.json of an earlier run (e.g. the server before the fixes)") java.nio.file.Path compare;
    @Option(names = "--docs", defaultValue = "docs") java.nio.file.Path docs;

    @Override
    public Integer call() throws Exception {
      io.vertx.core.json.JsonObject r = Report.load(results);
      if ("soak".equals(r.getString("scenario"))) {
        Soak.writeDocs(r, docs);
        System.out.println("wrote the Soak section of " + docs.resolve("benchmarks.md"));
        return 0;
      }
      if ("webhooks".equals(r.getString("scenario"))) {
        Webhooks.writeDocs(r, docs);
        System.out.println("wrote the Webhooks section of " + docs.resolve("benchmarks.md"));
        return 0;
      }
      if (compare != null) {
        r.put("compare", Report.load(compare));
      }
      Report.write(r, docs, results.getParent());
      System.out.println("wrote " + docs.resolve("benchmarks.md"));
      return 0;
    }
  }

  @Command(name = "worker", description = "A generator process holding connections (driven by the suite over stdin).")
  static final class WorkerCmd implements Callable<Integer> {
    @Option(names = "--host", defaultValue = "127.0.0.1") String host;
    @Option(names = "--port", defaultValue = "18080") int port;
    @Option(names = "--app", required = true) String app;
    @Option(names = "--secret", required = true) String secret;
    @Option(names = "--count", required = true) int count;
    @Option(names = "--prefix", required = true) String prefix;
    @Option(names = "--inflight", defaultValue = "200") int inflight;
    @Option(names = "--local", split = ",", defaultValue = "127.0.0.10") List<String> local;
    @Option(names = "--heartbeat-ms", defaultValue = "10000") long heartbeatMs;
    @Option(names = "--relay", description = "connect to the baseline relay instead (no auth)") boolean relay;

    @Override
    public Integer call() throws Exception {
      Target t = relay ? new Target("relay", host, port, true, null, null) : new Target("seedim", host, port, false, app, secret);
      new Worker(t, local, count, prefix, inflight, heartbeatMs).run();
      return 0;
    }
  }
}
