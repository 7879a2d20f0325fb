package shop;

import java.util.List;
import java.util.stream.Collectors;

/**
 * Something in a request that its client can fix, or wait out.
 *
 * @param code    a short, stable name for programs, such as {@code unknown-sku}
 * @param message what is wrong and what to do, for people
 */
public record Problem(String code, String message) {

    /** The messages of {@code problems}, in order, as one text. */
    public static String messages(List<Problem> problems) {
        return problems.stream().map(Problem::message).collect(Collectors.joining("; "));
    }
}
