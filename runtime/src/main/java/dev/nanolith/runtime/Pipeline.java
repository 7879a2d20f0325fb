package dev.nanolith.runtime;

import java.util.List;

/**
 * The invocation pipeline: stages from the outermost in, then the dispatcher. The same
 * pipeline serves calls from the gateway and calls between functions.
 */
public record Pipeline(List<Stage> stages, Dispatcher dispatcher) {

    public Pipeline {
        stages = List.copyOf(stages);
    }

    /** One function's invoker: every stage around {@code dispatch}, the dispatcher's invoker for it. */
    Invoker wrap(FunctionSpec function, Invoker dispatch) {
        Invoker invoker = dispatch;
        for (Stage stage : stages.reversed()) {
            invoker = stage.wrap(function, invoker);
        }
        return invoker;
    }
}
