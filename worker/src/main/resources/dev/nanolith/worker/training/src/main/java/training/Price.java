package training;

import java.util.List;
import java.util.function.Function;

/** The total of some lines, in cents. */
public final class Price implements Function<List<Line>, Long> {

    @Override
    public Long apply(List<Line> lines) {
        return lines.stream().mapToLong(line -> line.quantity() * line.unitCents()).sum();
    }
}
