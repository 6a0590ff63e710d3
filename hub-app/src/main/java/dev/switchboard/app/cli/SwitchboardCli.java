package dev.switchboard.app.cli;

import java.io.PrintWriter;
import java.util.Arrays;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code switchboard} launcher. Without a command it runs the hub, so {@code java -jar switchboard.jar} keeps
 * working; commands that talk to a running hub use the generated API client.
 */
@Command(name = "switchboard", mixinStandardHelpOptions = true, versionProvider = SwitchboardCli.Version.class,
        description = "An integration hub for MLOps tools.",
        subcommands = {RunCommand.class, ValidateCommand.class, SyncCommand.class, EventsCommand.class, DlqCommand.class,
                ConnectionsCommand.class, RoutesCommand.class, DeliveriesCommand.class, CheckCommand.class,
                ReloadCommand.class, DemoCommand.class, CompletionCommand.class,
                CommandLine.HelpCommand.class})
public final class SwitchboardCli {

    public static void main(String[] args) {
        int code = execute(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true));
        if (code != 0 || !RunCommand.hubStarted()) {
            System.exit(code);
        }
        // A started hub keeps running (its web server threads keep the JVM alive) until SIGTERM or Ctrl-C.
    }

    /** Runs one command line and returns its exit code; {@code out}/{@code err} receive its output. */
    public static int execute(String[] args, PrintWriter out, PrintWriter err) {
        if (args.length == 0 || args[0].startsWith("--") && !args[0].equals("--help") && !args[0].equals("--version")) {
            // No command (or only Spring options such as --server.port=9090): run the hub.
            String[] withRun = new String[args.length + 1];
            withRun[0] = "run";
            System.arraycopy(args, 0, withRun, 1, args.length);
            args = withRun;
        }
        CommandLine commandLine;
        CommandLine run;
        if (args[0].equals("run")) {
            // The hub alone: building the whole CLI creates every command, and the client commands' API client and
            // Jackson 2 mappers cost the hub's start-up about 1,900 classes (SSL context, HTTP client) it never uses.
            commandLine = new CommandLine(new RunCommand());
            commandLine.setCommandName("switchboard run");
            args = Arrays.copyOfRange(args, 1, args.length);
            run = commandLine;
        } else {
            // Commands print results, not the libraries' start-up chatter; the hub itself logs as configured.
            ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME))
                    .setLevel(ch.qos.logback.classic.Level.WARN);
            commandLine = new CommandLine(new SwitchboardCli());
            run = commandLine.getSubcommands().get("run");
        }
        // `run --server.port=9090`: Spring Boot options are the run command's parameters, not unknown options.
        run.setUnmatchedOptionsArePositionalParams(true);
        commandLine.setOut(out);
        commandLine.setErr(err);
        commandLine.setExecutionExceptionHandler((failure, line, parseResult) -> {
            line.getErr().println("error: " + failure.getMessage());
            return 1;
        });
        return commandLine.execute(args);
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = SwitchboardCli.class.getPackage().getImplementationVersion();
            return new String[] {"switchboard " + (version == null ? "(development build)" : version)};
        }
    }
}
