package dev.nanolith;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Overrides the name a function gets by convention (the last package segment and the
 * class name in kebab case: {@code shop.checkout.VerifyItems} is {@code checkout.verify-items}).
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface Name {

    /** The function's name: lower-case words of letters, digits and dashes, joined by dots. */
    String value();
}
