package dev.nanolith.runtime;

import com.fasterxml.jackson.core.exc.InputCoercionException;
import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.InvalidDefinitionException;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.InvalidNullException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.databind.introspect.BeanPropertyDefinition;
import java.lang.invoke.MethodType;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Duration;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.temporal.Temporal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import org.apache.commons.text.similarity.LevenshteinDistance;

/**
 * Says why well-formed JSON does not fit a function's input type, field by field: fields the type
 * does not have (with the known field they were probably meant to be), fields it needs that are
 * missing or null, and values of the wrong kind. Read from the structure of the input and of the
 * type, and from the fields of Jackson's exception (its path and target type), never from its text.
 */
final class BadInput {

    /** At most this many problems are named in one message. */
    private static final int MAX_PROBLEMS = 3;

    private static final LevenshteinDistance DISTANCE = LevenshteinDistance.getDefaultInstance();

    private final ObjectMapper mapper;
    private final List<String> problems = new ArrayList<>();

    private BadInput(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    /**
     * Why {@code input}, which Jackson refused with {@code e}, is no {@code type}, such as
     * {@code field 'nmae' is not part of the input — did you mean 'name'?}.
     */
    static String explain(ObjectMapper mapper, JavaType type, JsonNode input, JsonMappingException e) {
        BadInput bad = new BadInput(mapper);
        bad.walk(type, input, "");
        if (!bad.problems.isEmpty()) {
            int more = bad.problems.size() - MAX_PROBLEMS;
            return String.join("; ", bad.problems.subList(0, Math.min(MAX_PROBLEMS, bad.problems.size())))
                    + (more > 0 ? "; and " + more + " more" : "");
        }
        return bad.fromException(input, e);
    }

    /** Finds unknown, missing and null fields in {@code node}, read as {@code type}, at {@code path}. */
    private void walk(JavaType type, JsonNode node, String path) {
        if (node == null || node.isNull()) {
            return;
        }
        if (type.isReferenceType()) {
            walk(type.getContentType(), node, path);
        } else if (type.isArrayType() || type.isCollectionLikeType()) {
            for (int i = 0; node.isArray() && i < node.size(); i++) {
                walk(type.getContentType(), node.get(i), path + "[" + i + "]");
            }
        } else if (type.isMapLikeType()) {
            node.properties().forEach(field -> walk(type.getContentType(), field.getValue(), join(path, field.getKey())));
        } else if (node.isObject() && isBean(type)) {
            fields(type, node, path);
        }
    }

    private void fields(JavaType type, JsonNode node, String path) {
        BeanDescription bean = mapper.getDeserializationConfig().introspect(type);
        Map<String, BeanPropertyDefinition> known = new LinkedHashMap<>();
        bean.findProperties().forEach(p -> known.put(p.getName(), p));
        List<String> missing = known.values().stream().filter(p -> p.isRequired() && !node.has(p.getName()))
                .map(BeanPropertyDefinition::getName).collect(Collectors.toCollection(ArrayList::new));
        String where = path.isEmpty() ? "the input" : "'" + path + "'";
        boolean open = bean.findAnySetterAccessor() != null
                || mapper.getDeserializationConfig().getDefaultPropertyIgnorals(type.getRawClass(), bean.getClassInfo()).getIgnoreUnknown();
        if (!open) {
            for (Map.Entry<String, JsonNode> field : node.properties()) {
                String name = field.getKey();
                if (known.containsKey(name) || bean.getIgnoredPropertyNames().contains(name)) {
                    continue;
                }
                String meant = closest(name, missing.isEmpty() ? known.keySet().stream().filter(k -> !node.has(k)).toList() : missing);
                missing.remove(meant);
                problems.add("field '" + join(path, name) + "' is not part of " + where + (meant != null ? " — did you mean '" + meant + "'?"
                        : " — its fields are " + String.join(", ", known.keySet().stream().sorted().toList())));
            }
        }
        missing.forEach(name -> problems.add("field '" + join(path, name) + "' is missing"));
        known.forEach((name, property) -> {
            JsonNode value = node.get(name);
            if (value != null && value.isNull() && (property.isRequired() || property.getPrimaryType().isPrimitive())) {
                problems.add("field '" + join(path, name) + "' must not be null");
            } else if (value != null) {
                walk(property.getPrimaryType(), value, join(path, name));
            }
        });
    }

    /** The known name closest to a misspelt one, if it is close enough to be what was meant. */
    private static String closest(String name, Collection<String> candidates) {
        String lower = name.toLowerCase(Locale.ROOT);
        return candidates.stream()
                .filter(c -> DISTANCE.apply(lower, c.toLowerCase(Locale.ROOT)) <= Math.max(2, c.length() / 3))
                .min(Comparator.comparingInt(c -> DISTANCE.apply(lower, c.toLowerCase(Locale.ROOT))))
                .orElse(null);
    }

    /** Whether a type is read field by field: the app's own records and classes, not the JDK's values or JSON trees. */
    private static boolean isBean(JavaType type) {
        Class<?> raw = type.getRawClass();
        return !type.isContainerType() && !type.isPrimitive() && !type.isEnumType() && !raw.isArray()
                && !raw.getName().startsWith("java.") && !JsonNode.class.isAssignableFrom(raw);
    }

    /** The message for a value of the wrong kind, from the exception's path and target type. */
    private String fromException(JsonNode input, JsonMappingException e) {
        String path = path(e.getPath());
        String what = path.isEmpty() ? "the input" : "field '" + path + "'";
        JsonNode found = at(input, e.getPath());
        if (e instanceof ValueInstantiationException v) {
            Throwable cause = v.getCause() != null ? v.getCause() : v;
            return what + ": " + (cause.getMessage() != null ? cause.getMessage() : cause.getClass().getSimpleName());
        }
        if (e.getCause() instanceof InputCoercionException range && range.getTargetType() != null) {
            return what + " is out of range for " + range.getTargetType().getSimpleName() + ": " + describe(found);
        }
        if (e instanceof InvalidDefinitionException definition) {
            // The function's type is at fault, not the request: no JSON can make it.
            return what + " cannot be read from JSON into " + definition.getType().getRawClass().getSimpleName()
                    + ", whatever is sent — the function's input type needs to be a record, or a class with a constructor Jackson can use";
        }
        if (e instanceof InvalidNullException) {
            return what + " must not be null";
        }
        if (e instanceof InvalidFormatException format && format.getValue() != null && format.getTargetType() != null) {
            return what + " must be " + expected(element(format)) + ", not " + describe(mapper.valueToTree(format.getValue()));
        }
        if (e instanceof MismatchedInputException m && m.getTargetType() != null) {
            return what + " must be " + expected(element(m)) + ", not " + describe(found);
        }
        return what + " does not fit: " + e.getOriginalMessage().lines().findFirst().orElse("");
    }

    /**
     * The type the failing value was read as: an array's element type when the path ends in an
     * index (Jackson names the array for a wrong element of a primitive array).
     */
    private static Class<?> element(MismatchedInputException e) {
        Class<?> target = e.getTargetType();
        boolean atIndex = !e.getPath().isEmpty() && e.getPath().getLast().getIndex() >= 0;
        return atIndex && target.isArray() ? target.getComponentType() : target;
    }

    /** What JSON a Java type is read from, as a user would say it. */
    private static String expected(Class<?> type) {
        // A primitive reads as its box does.
        Class<?> t = MethodType.methodType(type).wrap().returnType();
        if (t == String.class || t == CharSequence.class) {
            return "a string";
        }
        if (t == Character.class) {
            return "a string of one character";
        }
        if (t == Boolean.class) {
            return "true or false";
        }
        if (t == Integer.class || t == Long.class || t == Short.class || t == Byte.class || t == BigInteger.class) {
            return "a whole number";
        }
        if (Number.class.isAssignableFrom(t) || t == BigDecimal.class) {
            return "a number";
        }
        if (t.isEnum()) {
            return "one of " + Arrays.stream(t.getEnumConstants()).map(c -> "\"" + c + "\"").collect(Collectors.joining(", "));
        }
        if (t.isArray() || Collection.class.isAssignableFrom(t)) {
            return "an array";
        }
        if (t == LocalDate.class) {
            return "a date like \"2026-11-29\"";
        }
        if (t == LocalTime.class) {
            return "a time like \"17:30:00\"";
        }
        if (t == LocalDateTime.class) {
            return "a date and time like \"2026-11-29T17:30:00\"";
        }
        if (Temporal.class.isAssignableFrom(t)) {
            return "a date and time like \"2026-11-29T17:30:00Z\"";
        }
        if (t == Duration.class) {
            return "a duration like \"PT2S\"";
        }
        if (t == UUID.class) {
            return "a UUID string";
        }
        return "an object";
    }

    /** A JSON value as a user would name it: {@code the number 42}, {@code an array}. */
    private static String describe(JsonNode node) {
        if (node == null || node.isMissingNode()) {
            return "what was sent";
        }
        if (node.isTextual()) {
            String text = node.asText();
            return "the string \"" + (text.length() > 40 ? text.substring(0, 40) + "…" : text) + "\"";
        }
        if (node.isNumber()) {
            return "the number " + node.asText();
        }
        if (node.isBoolean()) {
            return node.asText();
        }
        if (node.isNull()) {
            return "null";
        }
        return node.isArray() ? "an array" : "an object";
    }

    private static JsonNode at(JsonNode root, List<JsonMappingException.Reference> path) {
        JsonNode node = root;
        for (JsonMappingException.Reference ref : path) {
            if (node == null) {
                return null;
            }
            node = ref.getFieldName() != null ? node.get(ref.getFieldName()) : node.get(ref.getIndex());
        }
        return node;
    }

    /** A path as the user wrote it: {@code items[0].sku}. */
    private static String path(List<JsonMappingException.Reference> path) {
        StringBuilder text = new StringBuilder();
        for (JsonMappingException.Reference ref : path) {
            if (ref.getFieldName() != null) {
                text.append(text.isEmpty() ? "" : ".").append(ref.getFieldName());
            } else if (ref.getIndex() >= 0) {
                text.append('[').append(ref.getIndex()).append(']');
            }
        }
        return text.toString();
    }

    private static String join(String path, String field) {
        return path.isEmpty() ? field : path + "." + field;
    }
}
