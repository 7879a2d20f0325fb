package dev.nanolith.runtime.load;

import java.util.List;
import java.util.stream.Collectors;

/** An app could not be loaded; nothing of it was deployed. Lists every problem found. */
public final class LoadException extends Exception {

    private final List<Problem> problems;

    public LoadException(List<Problem> problems) {
        super(problems.stream().map(Problem::toString).collect(Collectors.joining("\n")));
        this.problems = List.copyOf(problems);
    }

    public LoadException(Problem problem) {
        this(List.of(problem));
    }

    public List<Problem> problems() {
        return problems;
    }
}
