package dev.switchboard.app.cli;

import java.util.concurrent.Callable;
import picocli.AutoComplete;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

@Command(name = "completion", mixinStandardHelpOptions = true,
        description = "Print a bash/zsh completion script for switchboard (picocli's). Load it with "
                + "`source <(switchboard completion)`, or save it to /etc/bash_completion.d/switchboard.")
final class CompletionCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().getOut().print(AutoComplete.bash("switchboard", spec.root().commandLine()));
        spec.commandLine().getOut().flush();
        return 0;
    }
}
