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
    private final boolean own;

    /** A loader of compiled classes by binary name, in front of {@code parent}. */
    public RevisionClassLoader(String name, Map<String, byte[]> classes, ClassLoader parent) {
        this(name, classes, parent, true);
    }

    /**
     * A loader of compiled classes by binary name; {@code own} false lets classes of the same
     * name on the parent's class path win, as when an app's tests run in its own build.
     */
    public RevisionClassLoader(String name, Map<String, byte[]> classes, ClassLoader parent, boolean own) {
        super(name, parent);
        this.classes = new ConcurrentHashMap<>(classes);
        this.own = own;
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
        synchronized (getClassLoadingLock(name)) {
            Class<?> loaded = findLoadedClass(name);
            if (loaded == null && own && classes.containsKey(name)) {
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
