package dev.nanolith.runtime.load;

import com.sun.source.doctree.DocCommentTree;
import com.sun.source.doctree.DocTree;
import com.sun.source.doctree.LinkTree;
import com.sun.source.doctree.TextTree;
import com.sun.source.tree.ClassTree;
import com.sun.source.tree.CompilationUnitTree;
import com.sun.source.tree.ExpressionTree;
import com.sun.source.tree.LiteralTree;
import com.sun.source.tree.MemberSelectTree;
import com.sun.source.tree.MethodInvocationTree;
import com.sun.source.tree.ParenthesizedTree;
import com.sun.source.tree.Tree;
import com.sun.source.util.DocTrees;
import com.sun.source.util.JavacTask;
import com.sun.source.util.TreePath;
import com.sun.source.util.TreePathScanner;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.nanolith.Functions;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import javax.lang.model.element.Element;
import javax.lang.model.element.ExecutableElement;
import javax.lang.model.element.TypeElement;
import javax.lang.model.type.TypeMirror;
import javax.lang.model.util.Elements;
import javax.lang.model.util.Types;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.FileObject;
import javax.tools.ForwardingJavaFileManager;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.StandardLocation;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;

/**
 * Compiles an app's sources in memory with javac and, from the same parse, learns what the
 * loader needs of the source: each class's line and Javadoc, and the calls to other functions
 * that can be seen in the code.
 */
public final class Compiler {

    /**
     * A class as the source shows it.
     *
     * @param shape the kinds of its syntax tree's nodes in order, nested classes left out, each as two base-36
     *              digits: its code with every identifier and literal abstracted, for finding the same logic under
     *              other names
     */
    public record SourceClass(String file, int line, String description, String shape) {
    }

    /** The kinds of the nodes of {@code tree}, as {@link SourceClass#shape} writes them; nested classes are not walked into. */
    static String shape(ClassTree tree) {
        StringBuilder kinds = new StringBuilder();
        new com.sun.source.util.TreeScanner<Void, Void>() {
            @Override
            public Void scan(Tree node, Void unused) {
                if (node == null || node instanceof ClassTree nested && nested != tree) {
                    return null;
                }
                String kind = Integer.toString(node.getKind().ordinal(), 36);
                kinds.append(kind.length() == 1 ? "0" + kind : kind);
                return super.scan(node, unused);
            }
        }.scan(tree.getMembers(), null);
        return kinds.toString();
    }

    /** A call of another function ({@code ctx.call(...)}, {@code functions.apply(...)}, …) whose callee the source names: a name or a class. */
    public record CallSite(String file, int line, String callerClass, String calleeName, String calleeClass) {
    }

    /**
     * What a successful compilation gives: class bytes by binary name, what the source says of
     * them, and the jars of the app's libraries it was compiled against.
     */
    public record Output(Map<String, byte[]> classes, Map<String, SourceClass> sources, List<CallSite> calls, List<String> libraries) {

        public Output {
            libraries = libraries == null ? List.of() : List.copyOf(libraries);
        }

        /**
         * Each function's callees as its source names them: the calls in its class and the classes
         * nested in it, by name or by class, itself left out.
         *
         * @param functionOf the function of each function class, by binary name
         */
        public Map<String, List<String>> callees(Map<String, String> functionOf) {
            Map<String, java.util.Set<String>> callees = new java.util.TreeMap<>();
            for (CallSite call : calls) {
                // The innermost function class that holds the call: a function may itself be a nested class.
                String caller = null;
                for (String holder = call.callerClass(); holder != null && caller == null;
                     holder = holder.contains("$") ? holder.substring(0, holder.lastIndexOf('$')) : null) {
                    caller = functionOf.get(holder);
                }
                String callee = call.calleeName() != null ? call.calleeName() : functionOf.get(call.calleeClass());
                if (caller != null && callee != null && !callee.equals(caller)) {
                    callees.computeIfAbsent(caller, c -> new java.util.TreeSet<>()).add(callee);
                }
            }
            Map<String, List<String>> sorted = new java.util.TreeMap<>();
            callees.forEach((caller, set) -> sorted.put(caller, List.copyOf(set)));
            return sorted;
        }

        /** The same output, compiled against these library jars. */
        public Output withLibraries(List<String> jars) {
            return new Output(classes, sources, calls, jars);
        }

        private static final ObjectMapper JSON = new ObjectMapper();

        /** Keeps this output in {@code file}, for another process of the platform to load. */
        public void write(Path file) throws IOException {
            JSON.writeValue(file.toFile(), this);
        }

        /** An output kept by {@link #write}. */
        public static Output read(Path file) throws LoadException {
            try {
                return JSON.readValue(file.toFile(), Output.class);
            } catch (IOException e) {
                throw new LoadException(Problem.of("platform", "the compiled app in " + file + " cannot be read: " + e.getMessage()));
            }
        }
    }

    private final String classPath;

    /** A compiler against {@code classPath}, as {@code javac -classpath} takes it. */
    public Compiler(String classPath) {
        this.classPath = classPath;
    }

    /** Compiles the sources, named by their path relative to the app's root. */
    public Output compile(Map<String, String> sources) throws LoadException {
        return compile(sources, Map.of());
    }

    /**
     * Compiles the sources against classes held in memory too (an app's tests against the app),
     * by binary name.
     */
    public Output compile(Map<String, String> sources, Map<String, byte[]> inMemoryClassPath) throws LoadException {
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        if (javac == null) {
            throw new LoadException(Problem.of("platform", "runs on a Java runtime without a compiler — run it on a JDK 21 or newer"));
        }
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        Map<String, ByteArrayOutputStream> classes = new HashMap<>();
        List<JavaFileObject> units = sources.entrySet().stream()
                .map(e -> (JavaFileObject) new Source(e.getKey(), e.getValue())).toList();
        try (StandardJavaFileManager standard = javac.getStandardFileManager(diagnostics, Locale.ROOT, StandardCharsets.UTF_8);
             Memory memory = new Memory(standard, classes, inMemoryClassPath)) {
            JavacTask task = (JavacTask) javac.getTask(null, memory, diagnostics,
                    List.of("-classpath", classPath, "-parameters", "-proc:none", "-Xlint:none", "-g"), null, units);
            Iterable<? extends CompilationUnitTree> trees = task.parse();
            task.analyze();
            Map<String, SourceClass> found = new HashMap<>();
            List<CallSite> calls = new ArrayList<>();
            if (errors(diagnostics).isEmpty()) {
                DocTrees docs = DocTrees.instance(task);
                for (CompilationUnitTree unit : trees) {
                    new Scanner(docs, task.getElements(), task.getTypes(), unit, found, calls).scan(unit, null);
                }
                task.generate();
            }
            List<Problem> problems = errors(diagnostics);
            if (!problems.isEmpty()) {
                throw new LoadException(problems);
            }
            Map<String, byte[]> bytes = new HashMap<>();
            classes.forEach((name, out) -> bytes.put(name, out.toByteArray()));
            return new Output(bytes, found, calls, List.of());
        } catch (IOException e) {
            throw new LoadException(Problem.of("sources", "cannot be compiled: " + e.getMessage()));
        }
    }

    private static List<Problem> errors(DiagnosticCollector<JavaFileObject> diagnostics) {
        return diagnostics.getDiagnostics().stream().filter(d -> d.getKind() == Diagnostic.Kind.ERROR).map(Compiler::problem).toList();
    }

    /**
     * A compile error as javac prints it: the first line of its message, the source line with a
     * caret under the position, then the rest of the message (the symbol and where it was looked for).
     */
    private static Problem problem(Diagnostic<? extends JavaFileObject> d) {
        List<String> message = d.getMessage(Locale.ROOT).lines().toList();
        List<String> detail = new ArrayList<>(source(d));
        detail.addAll(message.subList(Math.min(1, message.size()), message.size()));
        return new Problem(d.getSource() == null ? "sources" : pathOf(d.getSource()), (int) Math.max(0, d.getLineNumber()),
                message.isEmpty() ? "" : message.getFirst(), detail);
    }

    /** The diagnostic's source line and a caret line under its position, or nothing when it has no position. */
    private static List<String> source(Diagnostic<? extends JavaFileObject> d) {
        if (d.getSource() == null || d.getPosition() == Diagnostic.NOPOS) {
            return List.of();
        }
        String text;
        try {
            text = d.getSource().getCharContent(true).toString();
        } catch (IOException e) {
            return List.of();
        }
        int at = (int) Math.min(d.getPosition(), text.length());
        int start = text.lastIndexOf('\n', at - 1) + 1;
        int end = text.indexOf('\n', at);
        String line = text.substring(start, end < 0 ? text.length() : end).stripTrailing();
        // Tabs stay tabs, so that the caret lines up however the line is shown.
        String caret = text.substring(start, at).replaceAll("[^\t]", " ") + "^";
        return List.of(line, caret);
    }

    /** Reads classes, their Javadoc and the calls of other functions out of one compilation unit. */
    private static final class Scanner extends TreePathScanner<Void, Void> {
        /** The methods of {@link Functions} that call a function: by name, or by class. */
        private static final Set<String> CALLS = Set.of("call", "apply", "get", "accept");
        private final DocTrees docs;
        private final Elements elements;
        private final Types types;
        private final CompilationUnitTree unit;
        private final Map<String, SourceClass> found;
        private final List<CallSite> calls;
        private final String file;
        private String currentClass;

        Scanner(DocTrees docs, Elements elements, Types types, CompilationUnitTree unit,
                Map<String, SourceClass> found, List<CallSite> calls) {
            this.docs = docs;
            this.elements = elements;
            this.types = types;
            this.unit = unit;
            this.found = found;
            this.calls = calls;
            this.file = pathOf(unit.getSourceFile());
        }

        @Override
        public Void visitClass(ClassTree tree, Void unused) {
            Element element = docs.getElement(getCurrentPath());
            String outer = currentClass;
            if (element instanceof TypeElement type) {
                String binary = elements.getBinaryName(type).toString();
                DocCommentTree doc = docs.getDocCommentTree(getCurrentPath());
                String description = doc == null ? null : text(doc.getFirstSentence()).replaceAll("\\s+", " ").trim();
                found.put(binary, new SourceClass(file, nameLine(tree), description == null || description.isEmpty() ? null : description,
                        shape(tree)));
                currentClass = binary;
            }
            try {
                return super.visitClass(tree, unused);
            } finally {
                currentClass = outer;
            }
        }

        @Override
        public Void visitMethodInvocation(MethodInvocationTree tree, Void unused) {
            Element element = docs.getElement(getCurrentPath());
            if (element instanceof ExecutableElement method && CALLS.contains(method.getSimpleName().toString())
                    && method.getEnclosingElement() instanceof TypeElement owner
                    && owner.getQualifiedName().contentEquals(Functions.class.getName())
                    && !tree.getArguments().isEmpty()) {
                ExpressionTree first = tree.getArguments().getFirst();
                while (first instanceof ParenthesizedTree parenthesized) {
                    first = parenthesized.getExpression();
                }
                if (first instanceof LiteralTree literal && literal.getValue() instanceof String name) {
                    calls.add(new CallSite(file, line(tree), currentClass, name, null));
                } else if (first instanceof MemberSelectTree select && select.getIdentifier().contentEquals("class")) {
                    TypeMirror type = docs.getTypeMirror(new TreePath(getCurrentPath(), select.getExpression()));
                    Element callee = type == null ? null : types.asElement(type);
                    if (callee instanceof TypeElement t) {
                        calls.add(new CallSite(file, line(tree), currentClass, null, elements.getBinaryName(t).toString()));
                    }
                }
            }
            return super.visitMethodInvocation(tree, unused);
        }

        /** Javadoc as a reader sees it: {@code {@code x}} and {@code {@link X}} become their text. */
        private static String text(List<? extends DocTree> trees) {
            StringBuilder sb = new StringBuilder();
            for (DocTree tree : trees) {
                switch (tree) {
                    case com.sun.source.doctree.LiteralTree literal -> sb.append(literal.getBody().getBody());
                    case LinkTree link -> sb.append(link.getLabel().isEmpty()
                            ? link.getReference().getSignature().replace('#', '.') : text(link.getLabel()));
                    case TextTree plain -> sb.append(plain.getBody());
                    default -> sb.append(tree);
                }
            }
            return sb.toString();
        }

        /** The line of a class's declaration itself, after any annotations on lines of their own. */
        private int nameLine(ClassTree tree) {
            long end = docs.getSourcePositions().getEndPosition(unit, tree.getModifiers());
            return end > 0 ? (int) unit.getLineMap().getLineNumber(end) : line(tree);
        }

        private int line(Tree tree) {
            long pos = docs.getSourcePositions().getStartPosition(unit, tree);
            return (int) unit.getLineMap().getLineNumber(pos);
        }
    }

    /** A source file held in memory, named by its path in the app. */
    private static final class Source extends SimpleJavaFileObject {
        private final String text;

        Source(String path, String text) {
            super(URI.create("string:///" + path), Kind.SOURCE);
            this.text = text;
        }

        @Override
        public CharSequence getCharContent(boolean ignoreEncodingErrors) {
            return text;
        }
    }

    /** Keeps compiled classes in memory instead of writing them out, and offers classes held in memory. */
    private static final class Memory extends ForwardingJavaFileManager<StandardJavaFileManager> {
        private final Map<String, ByteArrayOutputStream> classes;
        private final Map<String, byte[]> classPath;

        Memory(StandardJavaFileManager standard, Map<String, ByteArrayOutputStream> classes, Map<String, byte[]> classPath) {
            super(standard);
            this.classes = classes;
            this.classPath = classPath;
        }

        @Override
        public Iterable<JavaFileObject> list(Location location, String packageName, Set<JavaFileObject.Kind> kinds, boolean recurse)
                throws IOException {
            Iterable<JavaFileObject> found = super.list(location, packageName, kinds, recurse);
            if (location != StandardLocation.CLASS_PATH || !kinds.contains(JavaFileObject.Kind.CLASS) || classPath.isEmpty()) {
                return found;
            }
            List<JavaFileObject> all = new ArrayList<>();
            found.forEach(all::add);
            classPath.forEach((name, bytes) -> {
                String pkg = name.contains(".") ? name.substring(0, name.lastIndexOf('.')) : "";
                if (pkg.equals(packageName) || (recurse && pkg.startsWith(packageName + "."))) {
                    all.add(new HeldClass(name, bytes));
                }
            });
            return all;
        }

        @Override
        public String inferBinaryName(Location location, JavaFileObject file) {
            return file instanceof HeldClass held ? held.binaryName : super.inferBinaryName(location, file);
        }

        @Override
        public JavaFileObject getJavaFileForOutput(Location location, String className, JavaFileObject.Kind kind, FileObject sibling) {
            return new SimpleJavaFileObject(URI.create("mem:///" + className.replace('.', '/') + kind.extension), kind) {
                @Override
                public OutputStream openOutputStream() {
                    ByteArrayOutputStream out = new ByteArrayOutputStream();
                    classes.put(className, out);
                    return out;
                }
            };
        }
    }

    /** A compiled class offered to javac from memory. */
    private static final class HeldClass extends SimpleJavaFileObject {
        final String binaryName;
        private final byte[] bytes;

        HeldClass(String binaryName, byte[] bytes) {
            super(URI.create("mem:///" + binaryName.replace('.', '/') + Kind.CLASS.extension), Kind.CLASS);
            this.binaryName = binaryName;
            this.bytes = bytes;
        }

        @Override
        public InputStream openInputStream() {
            return new ByteArrayInputStream(bytes);
        }
    }

    /** A source's path in the app, from the URI it was given (javac may wrap the file object). */
    private static String pathOf(JavaFileObject source) {
        return source.toUri().getPath().substring(1);
    }

    /** A compiler against what the platform offers apps (see {@link OfferedClasses}) and the jars of an app's libraries. */
    public static Compiler against(List<String> libraries) {
        return new Compiler(OfferedClasses.join(Stream.concat(OfferedClasses.classPath().stream(), libraries.stream()).toList()));
    }

    /** A compiler of an app's tests: against what {@link #against} offers, JUnit's API and the app's libraries. */
    public static Compiler forTests(List<String> libraries) {
        return new Compiler(OfferedClasses.join(Stream.of(OfferedClasses.classPath(), OfferedClasses.testClassPath(), libraries)
                .flatMap(List::stream).toList()));
    }

    /** A compiler against the class path this JVM runs with: for an app's own build, whose class path is the app's. */
    public static Compiler onClassPath() {
        return new Compiler(System.getProperty("java.class.path"));
    }

    /**
     * The Java sources under {@code folder} of an app, by their path relative to the app's root;
     * none when the folder does not exist.
     */
    public static Map<String, String> sources(Path app, String folder) throws LoadException {
        Path root = app.resolve(folder);
        Map<String, String> sources = new TreeMap<>();
        if (!Files.isDirectory(root)) {
            return sources;
        }
        try (Stream<Path> files = Files.walk(root)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java") && Files.isRegularFile(p)).toList()) {
                sources.put(relative(app, f), Files.readString(f));
            }
        } catch (IOException e) {
            throw new LoadException(Problem.of(folder, "cannot be read: " + e.getMessage()));
        }
        return sources;
    }

    /** A file's path relative to an app's root, with forward slashes, as problems show it. */
    public static String relative(Path root, Path file) {
        return root.relativize(file).toString().replace('\\', '/');
    }
}
