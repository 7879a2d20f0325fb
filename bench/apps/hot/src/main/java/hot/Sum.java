package hot;

/** The sum of a pair. */
public record Sum(int value) {
}
