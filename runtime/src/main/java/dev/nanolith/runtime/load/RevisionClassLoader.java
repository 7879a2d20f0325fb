package dev.nanolith.runtime.load;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Holds one revision's compiled classes; collectable once nothing refers to the revision. The
 * app's own classes are defined here even when a class of the same name is on the platform's
 * class path (an IDE or a build may put the app there), so every revision runs what it compiled.
 */
public final class RevisionClassLoader extends ClassLoader {

    static {
        registerAsParallelCapable();
    }

    private final Map<String, byte[]> classes;

    /** A loader of compiled classes by binary name, in front of {@code parent}. */
    public RevisionClassLoader(String name, Map<String, byte[]> classes, ClassLoader parent) {
        super(name, parent);
        this.classes = new ConcurrentHashMap<>(classes);
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
        synchronized (getClassLoadingLock(name)) {
            Class<?> loaded = findLoadedClass(name);
            if (loaded == null && classes.containsKey(name)) {
                loaded = findClass(name);
            }
            if (loaded == null) {
                return super.loadClass(name, resolve);
            }
            if (resolve) {
                resolveClass(loaded);
            }
            return loaded;
        }
    }

    @Override
    protected Class<?> findClass(String name) throws ClassNotFoundException {
        byte[] bytes = classes.remove(name);
        if (bytes == null) {
            throw new ClassNotFoundException(name);
        }
        return defineClass(name, bytes, 0, bytes.length);
    }
}
