package hot;

/** A small record sent over HTTP and back. */
public record Message(String text, int n) {
}
