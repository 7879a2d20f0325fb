package hot;

import dev.nanolith.Ctx;
import dev.nanolith.Nano;

/** Adds two numbers through hot.add and doubles the sum: one nested call. */
public class DoubleSum implements Nano<Pair, Sum> {

    @Override
    public Sum apply(Pair input, Ctx ctx) {
        Sum sum = ctx.call(Add.class, input);
        return new Sum(sum.value() * 2);
    }
}
