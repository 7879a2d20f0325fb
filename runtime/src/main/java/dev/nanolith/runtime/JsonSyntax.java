package dev.nanolith.runtime;

import com.fasterxml.jackson.core.StreamReadConstraints;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.Set;

/**
 * Says where a body that is not JSON goes wrong, in the terms of JSON's grammar (RFC 8259): the
 * line and column, what was expected there and what was found. Jackson finds that a body is
 * malformed but words it in its own terms (tokens, parser features); this reads the body again,
 * only when Jackson has refused it, to tell the user what to change.
 */
final class JsonSyntax {

    /** Where the body goes wrong. */
    private static final class Wrong extends Exception {
        Wrong(String message) {
            super(message, null, false, false);
        }
    }

    /** As deep as Jackson reads objects and arrays (its default limit). */
    private static final int MAX_DEPTH = StreamReadConstraints.DEFAULT_MAX_DEPTH;

    private final String text;
    private int at;
    /** Where each object, array or string still open began, innermost first, for the end of the body. */
    private final Deque<int[]> open = new ArrayDeque<>();

    private JsonSyntax(String text) {
        this.text = text;
    }

    /**
     * What is wrong with {@code body}, such as {@code malformed JSON at line 1, column 15: expected a
     * field name in double quotes, found '}' — remove the comma before it}; null when it is JSON.
     */
    static String explain(byte[] body) {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(body)).toString();
        } catch (CharacterCodingException e) {
            return "the body is not UTF-8 text — send JSON encoded in UTF-8";
        }
        JsonSyntax syntax = new JsonSyntax(text);
        try {
            syntax.document();
            return null;
        } catch (Wrong wrong) {
            return wrong.getMessage();
        }
    }

    private void document() throws Wrong {
        space();
        if (at == text.length()) {
            throw new Wrong("the body is empty — send the input as JSON");
        }
        value();
        space();
        if (at < text.length()) {
            throw wrong("the end of the body after one JSON value");
        }
    }

    private void value() throws Wrong {
        if (at == text.length()) {
            throw wrong("a value");
        }
        char c = text.charAt(at);
        switch (c) {
            case '{' -> object();
            case '[' -> array();
            case '"' -> string();
            case 't' -> literal("true");
            case 'f' -> literal("false");
            case 'n' -> literal("null");
            default -> {
                if (c == '-' || isDigit(c)) {
                    number();
                } else {
                    throw wrong("a value (an object, an array, a string in double quotes, a number, true, false or null)");
                }
            }
        }
    }

    /**
     * Opens an object or array — deeper than a JSON reader goes, the body is refused rather than
     * read — and closes it at once when it is empty; true when it was.
     */
    private boolean openEmpty(char close) throws Wrong {
        if (open.size() >= MAX_DEPTH) {
            throw new Wrong("malformed JSON at " + position(at) + ": nested deeper than " + MAX_DEPTH + " levels");
        }
        open.push(new int[] {at, close});
        at++;
        space();
        return closes(close);
    }

    /** After a member of an object or array: true when {@code close} ends it here. */
    private boolean closes(char close) {
        if (peek() != close) {
            return false;
        }
        at++;
        open.pop();
        return true;
    }

    /** After a member: a comma and the next member, or the end; true at the end. */
    private boolean ends(char close) throws Wrong {
        space();
        if (peek() == ',') {
            at++;
            space();
            return false;
        }
        if (closes(close)) {
            return true;
        }
        throw wrong("',' or '" + close + "'");
    }

    private void object() throws Wrong {
        if (openEmpty('}')) {
            return;
        }
        Set<String> names = new HashSet<>();
        do {
            if (peek() != '"') {
                boolean afterComma = text.charAt(previous()) == ',';
                throw wrong(afterComma ? "a field name in double quotes" : "a field name in double quotes, or }",
                        afterComma && peek() == '}' ? " — remove the comma before it" : "");
            }
            int name = at;
            String field = string();
            if (!names.add(field)) {
                throw new Wrong("malformed JSON at " + position(name) + ": field '" + field + "' is given twice in one object — give it once");
            }
            space();
            if (peek() != ':') {
                throw wrong("':' after the field name");
            }
            at++;
            space();
            value();
        } while (!ends('}'));
    }

    private void array() throws Wrong {
        if (openEmpty(']')) {
            return;
        }
        do {
            if (peek() == ']' && text.charAt(previous()) == ',') {
                throw wrong("a value", " — remove the comma before it");
            }
            value();
        } while (!ends(']'));
    }

    /** Reads a string and returns it as written, escapes and all. */
    private String string() throws Wrong {
        open.push(new int[] {at, '"'});
        int start = ++at;
        while (at < text.length()) {
            char c = text.charAt(at);
            if (c == '"') {
                at++;
                open.pop();
                return text.substring(start, at - 1);
            }
            if (c < 0x20) {
                throw wrong("'\"' to end the string (a line break or control character in a string is written \\n, \\t or \\u00XX)");
            }
            if (c == '\\') {
                at++;
                char escaped = peek();
                boolean unicode = escaped == 'u' && at + 4 < text.length() && text.substring(at + 1, at + 5).chars().allMatch(JsonSyntax::isHex);
                if (at < text.length() && ("\"\\/bfnrt".indexOf(escaped) < 0 && !unicode)) {
                    throw wrong("an escape: \\\" \\\\ \\/ \\b \\f \\n \\r \\t or \\u and four hex digits");
                }
                at += unicode ? 4 : 0;
            }
            at++;
        }
        throw wrong("'\"' to end the string");
    }

    private void number() throws Wrong {
        int start = at;
        if (peek() == '-') {
            at++;
        }
        if (!isDigit(peek())) {
            throw wrong("a digit");
        }
        if (peek() == '0' && at + 1 < text.length() && isDigit(text.charAt(at + 1))) {
            at++;
            throw wrong("no digit after a leading 0", " — write numbers without leading zeros");
        }
        digits();
        if (peek() == '.') {
            at++;
            if (!isDigit(peek())) {
                throw wrong("a digit after the decimal point");
            }
            digits();
        }
        if (peek() == 'e' || peek() == 'E') {
            at++;
            if (peek() == '+' || peek() == '-') {
                at++;
            }
            if (!isDigit(peek())) {
                throw wrong("a digit in the exponent");
            }
            digits();
        }
        if (Character.isLetter(peek())) {
            at = start;
            throw wrong("a value (an object, an array, a string in double quotes, a number, true, false or null)");
        }
    }

    private void literal(String word) throws Wrong {
        if (!text.startsWith(word, at) || Character.isLetterOrDigit(charAt(at + word.length()))) {
            throw wrong("a value (an object, an array, a string in double quotes, a number, true, false or null)");
        }
        at += word.length();
    }

    private void digits() {
        while (isDigit(peek())) {
            at++;
        }
    }

    private void space() {
        while (at < text.length() && " \t\r\n".indexOf(text.charAt(at)) >= 0) {
            at++;
        }
    }

    private char peek() {
        return charAt(at);
    }

    private char charAt(int i) {
        return i < text.length() ? text.charAt(i) : '\0';
    }

    /** The last character before {@code at} that is not white space. */
    private int previous() {
        int i = at - 1;
        while (i > 0 && Character.isWhitespace(text.charAt(i))) {
            i--;
        }
        return Math.max(0, i);
    }

    private static boolean isHex(int c) {
        return Character.digit(c, 16) >= 0;
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private Wrong wrong(String expected) {
        return wrong(expected, "");
    }

    private Wrong wrong(String expected, String hint) {
        return new Wrong("malformed JSON at " + position(at) + ": expected " + expected + ", found " + found() + hint);
    }

    /** What stands at {@code at}: a word whole, a character quoted, or the end and what it leaves open. */
    private String found() {
        if (at >= text.length()) {
            if (open.isEmpty()) {
                return "the end of the body";
            }
            int[] innermost = open.peek();
            String what = innermost[1] == '}' ? "the object" : innermost[1] == ']' ? "the array" : "the string";
            return "the end of the body (" + what + " opened at " + position(innermost[0]) + " is not closed)";
        }
        int end = at;
        while (end < text.length() && Character.isLetterOrDigit(text.charAt(end))) {
            end++;
        }
        if (end - at > 1) {
            return "'" + text.substring(at, Math.min(end, at + 40)) + "'";
        }
        char c = text.charAt(at);
        if (c == '\uFEFF') {
            return "a byte order mark (U+FEFF) — send the JSON without it";
        }
        boolean invisible = Character.isISOControl(c) || Character.getType(c) == Character.FORMAT || Character.isSpaceChar(c);
        return c == '\'' ? "\"'\" (JSON strings and field names are in double quotes)" : invisible ? String.format("U+%04X", (int) c) : "'" + c + "'";
    }

    private String position(int offset) {
        int line = 1;
        int lineStart = 0;
        for (int i = 0; i < offset && i < text.length(); i++) {
            if (text.charAt(i) == '\n') {
                line++;
                lineStart = i + 1;
            }
        }
        return "line " + line + ", column " + (offset - lineStart + 1);
    }
}
