package dev.sluice.core.pipeline;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * Enforces handler time limits without a thread per handler call: the handler runs on its lane's own
 * thread, and one watchdog thread per processor times out the calls that run past their limit. It
 * sleeps until the earliest limit, and only a call with an earlier limit wakes it, so a steady stream
 * of calls costs a map insert and remove each. Idle for a second, it ends; the next call starts another.
 */
final class Watchdog {
    private static final long IDLE_NANOS = TimeUnit.SECONDS.toNanos(1);
    // while the watchdog scans, every new call wakes it again: a scan may have missed it
    private static final long AWAKE = 1L << 62;

    private final Set<Call> active = ConcurrentHashMap.newKeySet();
    private final AtomicReference<Thread> thread = new AtomicReference<>();
    private final String name;
    private volatile long plannedWake;

    Watchdog(String name) {
        this.name = name;
    }

    /**
     * Starts watching the calling thread's handler call.
     *
     * @param limitNanos how long it may run
     * @param onExpiry run on a new thread when the limit passes first (after interrupting the handler's thread)
     * @return the call, whose {@link Call#finish()} the handler's thread calls when the handler returns
     */
    Call watch(long limitNanos, Runnable onExpiry) {
        Call call = new Call(System.nanoTime() + limitNanos, Thread.currentThread(), onExpiry);
        active.add(call);
        Thread watcher = thread.get();
        if (watcher == null) {
            start();
        } else if (call.deadline - plannedWake < 0) {
            LockSupport.unpark(watcher);
        }
        return call;
    }

    private void start() {
        Thread watcher = Thread.ofVirtual().name("sluice-watchdog-" + name).unstarted(this::loop);
        if (thread.compareAndSet(null, watcher)) {
            watcher.start();
        } else {
            LockSupport.unpark(thread.get());
        }
    }

    private void loop() {
        Thread self = Thread.currentThread();
        long idleSince = System.nanoTime();
        while (true) {
            long now = System.nanoTime();
            plannedWake = now + AWAKE;
            long next = now + IDLE_NANOS;
            for (Call call : active) {
                if (call.deadline - now <= 0) {
                    call.expire();
                } else if (call.deadline - next < 0) {
                    next = call.deadline;
                }
            }
            if (!active.isEmpty()) {
                idleSince = now;
            } else if (now - idleSince >= IDLE_NANOS) {
                thread.set(null);
                // a call registered while this thread was leaving must still be watched
                if (active.isEmpty() || !thread.compareAndSet(null, self)) {
                    return;
                }
            }
            plannedWake = next;
            LockSupport.parkNanos(this, next - now);
        }
    }

    /** One handler call under watch. */
    final class Call {
        private final long deadline;
        private final Thread worker;
        private final Runnable onExpiry;
        private final AtomicBoolean settled = new AtomicBoolean();

        private Call(long deadline, Thread worker, Runnable onExpiry) {
            this.deadline = deadline;
            this.worker = worker;
            this.onExpiry = onExpiry;
        }

        /** @return true when the handler returned in time; false when the watchdog already timed it out */
        boolean finish() {
            if (settled.compareAndSet(false, true)) {
                active.remove(this);
                return true;
            }
            return false;
        }

        private void expire() {
            if (settled.compareAndSet(false, true)) {
                active.remove(this);
                worker.interrupt();
                Thread.ofVirtual().name("sluice-" + name + "-timeout").start(onExpiry);
            }
        }
    }
}
