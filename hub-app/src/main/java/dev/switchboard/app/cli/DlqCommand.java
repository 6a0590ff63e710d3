package dev.switchboard.app.cli;

import dev.switchboard.client.ApiException;
import dev.switchboard.client.api.DeadLettersApi;
import dev.switchboard.client.model.DeadLetter;
import dev.switchboard.client.model.DeadLetterFilter;
import dev.switchboard.client.model.DeadLetterPage;
import dev.switchboard.client.model.ReplayResult;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "dlq", mixinStandardHelpOptions = true, description = "List and replay dead letters on a running hub.",
        subcommands = {DlqCommand.ListDeadLetters.class, DlqCommand.Replay.class})
final class DlqCommand {

    @Command(name = "list", mixinStandardHelpOptions = true,
            description = "Open dead letters, newest first (--all for replayed ones too).")
    static final class ListDeadLetters implements Callable<Integer> {

        @Spec
        CommandSpec spec;

        @Mixin
        HubClientOptions hub;

        @Option(names = "--connection", description = "Only this connection's.")
        String connection;

        @Option(names = "--all", description = "Include dead letters already replayed.")
        boolean all;

        @Option(names = "--limit", defaultValue = "50", description = "At most this many (default: ${DEFAULT-VALUE}).")
        int limit;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            try {
                DeadLetterPage page = new DeadLettersApi(hub.client()).listDeadLetters(connection, null, null, null,
                        all ? null : Boolean.TRUE, null, limit);
                if (hub.json) {
                    Output.json(out, page);
                } else {
                    Output.table(out, List.of("ID", "STAGE", "CONNECTION", "ACTION", "ROUTE/OBJECT", "CREATED",
                                    "REPLAYED", "REASON"),
                            page.getItems().stream().map(ListDeadLetters::row).toList());
                }
                return 0;
            } catch (ApiException e) {
                spec.commandLine().getErr().println("error: " + Output.describe(e));
                return 1;
            }
        }

        private static List<String> row(DeadLetter d) {
            return List.of(String.valueOf(d.getId()), d.getStage().getValue(), orDash(d.getConnection()),
                    orDash(d.getAction()),
                    orDash(d.getObjectKey() != null ? d.getObjectKey() : d.getRouteId()), String.valueOf(d.getCreatedAt()),
                    d.getReplayedAt() == null ? "-" : String.valueOf(d.getReplayedAt()), d.getReason());
        }

        private static String orDash(String value) {
            return value == null ? "-" : value;
        }
    }

    @Command(name = "replay", mixinStandardHelpOptions = true,
            description = "Replay one dead letter by id, or every open one of --connection.")
    static final class Replay implements Callable<Integer> {

        @Spec
        CommandSpec spec;

        @Mixin
        HubClientOptions hub;

        @Parameters(index = "0", arity = "0..1", description = "The dead letter's id.")
        Long id;

        @Option(names = "--connection", description = "Replay every open dead letter of this connection.")
        String connection;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            if ((id == null) == (connection == null)) {
                spec.commandLine().getErr().println("error: give either a dead letter id or --connection");
                return 2;
            }
            try {
                DeadLettersApi api = new DeadLettersApi(hub.client());
                List<ReplayResult> results = id != null ? List.of(api.replayDeadLetter(id))
                        : api.replayDeadLetters(new DeadLetterFilter().connection(connection));
                if (hub.json) {
                    Output.json(out, results);
                } else {
                    Output.table(out, List.of("ID", "OUTCOME"), results.stream()
                            .map(r -> List.of(String.valueOf(r.getId()), r.getOutcome().getValue())).toList());
                }
                return 0;
            } catch (ApiException e) {
                spec.commandLine().getErr().println("error: " + Output.describe(e));
                return 1;
            }
        }
    }
}
