package hot;

import dev.nanolith.Ctx;
import dev.nanolith.Nano;

/** Adds two numbers; the smallest work a call can do. */
public class Add implements Nano<Pair, Sum> {

    @Override
    public Sum apply(Pair input, Ctx ctx) {
        return new Sum(input.a() + input.b());
    }
}
