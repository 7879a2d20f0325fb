package dev.nanolith.runtime;

import dev.nanolith.runtime.load.LoadException;
import java.util.List;

/**
 * The invocation pipeline: stages from the outermost in, then the dispatcher. The same
 * pipeline serves calls from the gateway and calls between functions.
 */
public record Pipeline(List<Stage> stages, Dispatcher dispatcher) {

    public Pipeline {
        stages = List.copyOf(stages);
    }

    /** One function's invoker, with every stage around its dispatch. */
    Invoker compose(FunctionSpec function) throws LoadException {
        Invoker invoker = dispatcher.invoker(function);
        for (Stage stage : stages.reversed()) {
            invoker = stage.wrap(function, invoker);
        }
        return invoker;
    }
}
