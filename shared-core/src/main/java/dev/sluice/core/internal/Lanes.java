package dev.sluice.core.internal;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.IntFunction;

/**
 * Splits a batch into lanes: all messages of one group form one lane, in batch order; every ungrouped
 * message is a lane of its own. Lanes run concurrently, a lane's messages one at a time.
 */
public final class Lanes {
    private Lanes() {}

    /**
     * @param size batch size
     * @param groupOf the group key of message {@code i}, if any
     * @return lanes of message indices, each in batch order
     */
    public static List<List<Integer>> of(int size, IntFunction<Optional<String>> groupOf) {
        Map<String, List<Integer>> groups = new LinkedHashMap<>();
        List<List<Integer>> lanes = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            Optional<String> group = groupOf.apply(i);
            if (group.isPresent()) {
                List<Integer> lane = groups.get(group.get());
                if (lane == null) {
                    lane = new ArrayList<>();
                    groups.put(group.get(), lane);
                    lanes.add(lane);
                }
                lane.add(i);
            } else {
                lanes.add(List.of(i));
            }
        }
        return lanes;
    }
}
