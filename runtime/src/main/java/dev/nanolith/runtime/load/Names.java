package dev.nanolith.runtime.load;

import dev.nanolith.Name;
import java.util.regex.Pattern;

/** How functions are named: by convention from package and class, or by {@link Name}. */
final class Names {

    static final Pattern VALID = Pattern.compile("[a-z][a-z0-9-]*(\\.[a-z][a-z0-9-]*)*");

    private Names() {
    }

    /** {@code shop.checkout.VerifyItems} is {@code checkout.verify-items}, unless {@link Name} says otherwise. */
    static String of(Class<?> type) {
        Name name = type.getAnnotation(Name.class);
        if (name != null) {
            return name.value();
        }
        String pkg = type.getPackageName();
        String simple = kebab(type.getSimpleName());
        return pkg.isEmpty() ? simple : pkg.substring(pkg.lastIndexOf('.') + 1).toLowerCase() + "." + simple;
    }

    static String kebab(String camel) {
        return camel.replaceAll("([a-z0-9])([A-Z])", "$1-$2")
                .replaceAll("([A-Z])([A-Z][a-z])", "$1-$2")
                .toLowerCase();
    }
}
