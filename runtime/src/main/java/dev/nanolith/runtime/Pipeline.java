package dev.nanolith.runtime;

import dev.nanolith.runtime.external.ExternalHttp;
import java.util.List;

/**
 * The invocation pipeline: stages from the outermost in, then the dispatcher. The same
 * pipeline serves calls from the gateway and calls between functions; its functions' calls out of
 * the platform ({@code ctx.http()}) go through {@code external}.
 */
public record Pipeline(List<Stage> stages, Dispatcher dispatcher, ExternalHttp external) {

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
