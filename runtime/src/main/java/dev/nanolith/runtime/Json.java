package dev.nanolith.runtime;

import com.fasterxml.jackson.annotation.JsonSetter;
import com.fasterxml.jackson.annotation.Nulls;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.introspect.AnnotatedMember;
import com.fasterxml.jackson.databind.introspect.AnnotatedParameter;
import com.fasterxml.jackson.databind.introspect.JacksonAnnotationIntrospector;
import com.fasterxml.jackson.databind.type.LogicalType;
import com.fasterxml.jackson.databind.type.TypeFactory;
import com.fasterxml.jackson.databind.util.LRUMap;
import com.fasterxml.jackson.datatype.jdk8.Jdk8Module;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.util.Optional;

/**
 * How function inputs and outputs map to JSON, the same for every app: a record's components
 * are required and not null, unless they are {@link Optional}; unknown fields are rejected; a
 * value is read only from its own kind of JSON — no number or boolean becomes a string, no string
 * a number or boolean, no fraction a whole number, no number an enum (Jackson allows each by
 * default); no null stands in a list, an array or a map; no field is given twice.
 */
public final class Json {

    private Json() {
    }

    /** Marks every record component but an {@link Optional} one as required, as the input's schema says. */
    private static final class RecordsRequired extends JacksonAnnotationIntrospector {
        @Override
        public Boolean hasRequiredMarker(AnnotatedMember member) {
            Boolean explicit = super.hasRequiredMarker(member);
            if (explicit == null && member instanceof AnnotatedParameter p && p.getOwner().getDeclaringClass().isRecord()) {
                return !Optional.class.isAssignableFrom(p.getRawType());
            }
            return explicit;
        }
    }

    /**
     * What is wrong with {@code body}, which Jackson refused, in the terms of JSON's grammar
     * (RFC 8259): {@code malformed JSON at line 1, column 15: expected a field name in double
     * quotes, found '}' — remove the comma before it}; null when the grammar finds nothing wrong.
     */
    public static String explain(byte[] body) {
        return JsonSyntax.explain(body);
    }

    /**
     * A new mapper. Each revision gets its own, since a mapper caches the classes it has seen
     * and would keep an unloaded revision's classes alive.
     */
    public static ObjectMapper mapper() {
        ObjectMapper mapper = new ObjectMapper();
        // Mappers share one type cache unless told otherwise, and it would hold every revision's classes.
        mapper.setTypeFactory(TypeFactory.defaultInstance().withCache(new LRUMap<>(16, 200)));
        mapper.setAnnotationIntrospector(new RecordsRequired());
        // A null inside a list, an array or a map is refused as a null field is.
        mapper.setDefaultSetterInfo(JsonSetter.Value.forContentNulls(Nulls.FAIL));
        // A field given twice is ambiguous (which one counts depends on the reader): refused.
        mapper.enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
        mapper.coercionConfigFor(LogicalType.Textual)
                .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail);
        return mapper
                .registerModule(new Jdk8Module())
                .registerModule(new JavaTimeModule())
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .enable(DeserializationFeature.FAIL_ON_NULL_CREATOR_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_NUMBERS_FOR_ENUMS)
                .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
                .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
                .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
                .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);
    }

    /**
     * A mapper for values this platform wrote itself, carried between its processes: what a local
     * call passes as it is — a null field, a null in a list, a property that is written but not
     * read back — arrives the same, where {@code strict}, for clients' JSON, would refuse it.
     */
    public static ObjectMapper carrier(ObjectMapper strict) {
        ObjectMapper carrier = strict.copy();
        carrier.setDefaultSetterInfo(JsonSetter.Value.empty());
        return carrier.disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, DeserializationFeature.FAIL_ON_NULL_CREATOR_PROPERTIES,
                DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);
    }
}
