package dev.switchboard.app.cli;

import dev.switchboard.app.SwitchboardApplication;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.springframework.boot.SpringApplication;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Start the hub (with ./switchboard.yaml unless --config names another file).")
final class RunCommand implements Callable<Integer> {

    private static volatile boolean started;

    static boolean hubStarted() {
        return started;
    }

    @Option(names = {"-c", "--config"}, description = "The configuration file.")
    Path config;

    @Parameters(description = "Spring Boot options, such as --server.port=9090.", arity = "0..*")
    List<String> springArgs = new ArrayList<>();

    @Override
    public Integer call() {
        List<String> args = new ArrayList<>(springArgs);
        if (config != null) {
            args.add("--SWITCHBOARD_CONFIG=" + config.toAbsolutePath());
        }
        SpringApplication.run(SwitchboardApplication.class, args.toArray(String[]::new));
        started = true;
        return 0;
    }
}
