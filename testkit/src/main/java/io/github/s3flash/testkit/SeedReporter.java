package io.github.s3flash.testkit;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.LifecycleMethodExecutionExceptionHandler;
import org.junit.jupiter.api.extension.TestExecutionExceptionHandler;

/**
 * Names the seeds a failed test drew from {@link Seeds}, whatever the failure: an assertion that
 * forgot {@link Seeds#describe}, an unexpected exception, an {@link Error}. The seeds are printed on
 * standard error and added to the failure as a suppressed exception, so they show in the test
 * report next to the stack trace. Seeds drawn in {@code @BeforeAll} (shared by the class's tests)
 * are reported with each test's own.
 *
 * <p>Registered as a JUnit extension service (module-info and META-INF/services); the build turns
 * on {@code junit.jupiter.extensions.autodetection.enabled}, so every test with testkit on its path
 * gets it without an annotation.
 */
public final class SeedReporter implements BeforeAllCallback, BeforeEachCallback, TestExecutionExceptionHandler,
        LifecycleMethodExecutionExceptionHandler {

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(SeedReporter.class);
    private static final String CLASS_SEEDS = "class-seeds";

    /** A failure's note naming the seeds that reproduce it. */
    private static final class SeedNote extends RuntimeException {
        private static final long serialVersionUID = 1L;

        SeedNote(String message) {
            super(message, null, false, false);
        }
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        Seeds.drained();
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        // Whatever @BeforeAll drew belongs to every test of the class; the rest of the thread's
        // seeds were drawn by the previous test. A method's store reads its class's.
        context.getParent().ifPresent(parent -> parent.getStore(NAMESPACE)
                .getOrComputeIfAbsent(CLASS_SEEDS, key -> Seeds.drained(), List.class));
        Seeds.drained();
    }

    @Override
    public void handleTestExecutionException(ExtensionContext context, Throwable failure) throws Throwable {
        List<Long> seeds = new ArrayList<>(longs(context.getStore(NAMESPACE).get(CLASS_SEEDS, List.class)));
        seeds.addAll(Seeds.drained());
        throw report(context.getDisplayName(), seeds, failure);
    }

    @Override
    public void handleBeforeAllMethodExecutionException(ExtensionContext context, Throwable failure)
            throws Throwable {
        throw report(context.getDisplayName() + " (@BeforeAll)", Seeds.drained(), failure);
    }

    @Override
    public void handleBeforeEachMethodExecutionException(ExtensionContext context, Throwable failure)
            throws Throwable {
        throw report(context.getDisplayName() + " (@BeforeEach)", Seeds.drained(), failure);
    }

    /** Adds the seeds to {@code failure} (and prints them) when there are any; returns {@code failure}. */
    static Throwable report(String test, List<Long> seeds, Throwable failure) {
        if (seeds.isEmpty()) {
            return failure;
        }
        String note = test + " failed with " + seeds.stream().distinct().map(Seeds::describe)
                .collect(Collectors.joining(", "));
        System.err.println(note);
        failure.addSuppressed(new SeedNote(note));
        return failure;
    }

    private static List<Long> longs(List<?> list) {
        return list == null ? List.of() : list.stream().map(Long.class::cast).toList();
    }
}
