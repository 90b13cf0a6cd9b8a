package dev.recur.task.anomaly;

/**
 * Point-wise precision, recall and F1 of flagged rows against labels, pooled over groups, and events: maximal runs
 * of label 1 within a group, detected when at least one of their rows is flagged.
 */
public record DetectionScores(long rows, long truePositives, long flagged, long positives, int events, int eventsDetected) {

    public double precision() {
        return flagged == 0 ? 0 : truePositives / (double) flagged;
    }

    public double recall() {
        return positives == 0 ? 0 : truePositives / (double) positives;
    }

    public double f1() {
        double p = precision(), r = recall();
        return p + r == 0 ? 0 : 2 * p * r / (p + r);
    }

    /** Scores of one group's rows (labels and flags in row order) added to these. */
    public DetectionScores plus(boolean[] labels, boolean[] flags) {
        long tp = 0, f = 0, pos = 0;
        int ev = 0, detected = 0;
        boolean inEvent = false, hit = false;
        for (int i = 0; i < labels.length; i++) {
            if (flags[i]) f++;
            if (labels[i]) {
                pos++;
                if (flags[i]) tp++;
                if (!inEvent) {
                    ev++;
                    hit = false;
                }
                inEvent = true;
                if (flags[i] && !hit) {
                    hit = true;
                    detected++;
                }
            } else {
                inEvent = false;
            }
        }
        return new DetectionScores(rows + labels.length, truePositives + tp, flagged + f, positives + pos, events + ev, eventsDetected + detected);
    }

    public static DetectionScores none() {
        return new DetectionScores(0, 0, 0, 0, 0, 0);
    }
}
