package hot;

/** Two numbers to add. */
public record Pair(int a, int b) {
}
