package dev.nanolith.dashboard;

import static org.apache.commons.text.StringEscapeUtils.escapeXml11;

import dev.nanolith.runtime.observe.Activation;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * An operation's call graph, from the activation records of its trace: its functions as nodes,
 * grouped in a box per worker process (service), the gateway on the left; an edge per caller and
 * callee with how often it was taken and its mean latency — solid within a process, dashed and
 * coloured across processes, where each call is a network hop. A local edge's figures are those in
 * its callee's box unless the callee has several callers, so they are written on the edge only then
 * (and on every edge's tooltip). Drawn as SVG, its parts named by
 * {@code data-} attributes ({@code data-service}, {@code data-function}, {@code data-kind}).
 */
final class CallGraph {

    /** The layout, in pixels: a process's column, a function's box, the gap between boxes, room above and left of everything. */
    private static final int COLUMN = 300, NODE_W = 210, NODE_H = 30, GAP = 5, TOP = 30, LEFT = 46;

    /** The gateway's column, where the calls it answered itself are drawn too. */
    private static final String GATEWAY = Activation.GATEWAY;

    /** The longest function name drawn whole in its box; a longer one ends in an ellipsis, and shows whole on hover. */
    private static final int NAME = 31;

    /** A function within its process, and its calls in the trace, which grow as they are read: equal to itself only. */
    private static final class Node {
        private final String service;
        private final String function;
        private final List<Activation> calls = new ArrayList<>();

        Node(String service, String function) {
            this.service = service;
            this.function = function;
        }

        String service() {
            return service;
        }

        String function() {
            return function;
        }

        List<Activation> calls() {
            return calls;
        }
    }

    /** Calls from one function to another: how many, and their mean latency in ms; remote when across processes. */
    private record Edge(Node from, Node to, int count, double meanMillis, boolean remote) {
    }

    private final Map<String, List<Node>> processes = new LinkedHashMap<>();
    private final List<Edge> edges = new ArrayList<>();

    /** The graph of {@code trace}'s records, in any order. */
    CallGraph(List<Activation> trace) {
        List<Activation> ordered = trace.stream().sorted(Comparator.comparing(Activation::start)).toList();
        Map<String, Node> byFunction = new LinkedHashMap<>();
        processes.put(GATEWAY, new ArrayList<>(List.of(new Node(GATEWAY, "entry"))));
        for (Activation a : ordered) {
            Node node = byFunction.computeIfAbsent(a.service() + "/" + a.function(), key -> {
                Node made = new Node(a.service(), a.function());
                processes.computeIfAbsent(a.service(), s -> new ArrayList<>()).add(made);
                return made;
            });
            node.calls().add(a);
        }
        Map<List<Node>, List<Activation>> taken = new LinkedHashMap<>();
        for (Node callee : byFunction.values()) {
            for (Activation call : callee.calls()) {
                Node caller = call.caller().equals("entry") ? processes.get(GATEWAY).getFirst()
                        : byFunction.values().stream().filter(n -> n.function().equals(call.caller())).findFirst().orElse(null);
                if (caller != null) {
                    taken.computeIfAbsent(List.of(caller, callee), k -> new ArrayList<>()).add(call);
                }
            }
        }
        taken.forEach((pair, calls) -> edges.add(new Edge(pair.get(0), pair.get(1), calls.size(),
                calls.stream().mapToLong(Activation::durationNanos).average().orElse(0) / 1e6,
                !pair.get(0).service().equals(pair.get(1).service()))));
    }

    /** How many processes the operation ran in, the gateway's not counted. */
    int processCount() {
        return processes.size() - 1;
    }

    /** How many of its calls crossed from one process to another (the gateway's to the entry included). */
    int remoteCalls() {
        return edges.stream().filter(Edge::remote).mapToInt(Edge::count).sum();
    }

    /** The graph as an SVG element. */
    String svg() {
        Map<Node, int[]> at = new LinkedHashMap<>();
        int column = 0, height = 0;
        for (List<Node> nodes : processes.values()) {
            int x = LEFT + column++ * COLUMN;
            for (int i = 0; i < nodes.size(); i++) {
                at.put(nodes.get(i), new int[] {x + 10, TOP + 12 + i * (NODE_H + GAP)});
            }
            height = Math.max(height, TOP + 12 + nodes.size() * (NODE_H + GAP) + 10);
        }
        int width = LEFT + processes.size() * COLUMN;
        StringBuilder svg = new StringBuilder();
        svg.append("<svg class=\"graph\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 ").append(width).append(' ').append(height + 10)
                .append("\" width=\"").append(width).append("\" height=\"").append(height + 10).append("\">")
                .append("<defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto\">")
                .append("<path d=\"M0,0 L10,5 L0,10 z\" fill=\"context-stroke\"/></marker></defs>");
        column = 0;
        for (Map.Entry<String, List<Node>> process : processes.entrySet()) {
            int x = LEFT + column++ * COLUMN;
            int boxHeight = 22 + process.getValue().size() * (NODE_H + GAP);
            boolean gateway = process.getKey().equals(GATEWAY);
            svg.append("<g class=\"process\" data-service=\"").append(gateway ? "gateway" : escapeXml11(process.getKey()))
                    .append("\"").append(gateway ? " data-gateway=\"true\"" : "").append(">")
                    .append("<rect class=\"box").append(gateway ? " gateway" : "").append("\" x=\"").append(x).append("\" y=\"").append(TOP - 14)
                    .append("\" width=\"").append(NODE_W + 20).append("\" height=\"").append(boxHeight).append("\" rx=\"8\"/>")
                    .append("<text class=\"box-label\" x=\"").append(x + 10).append("\" y=\"").append(TOP - 20).append("\">")
                    .append(gateway ? "gateway (control plane)" : "process: " + escapeXml11(process.getKey())).append("</text>");
            for (Node node : process.getValue()) {
                int[] p = at.get(node);
                boolean failed = node.calls().stream().anyMatch(a -> a.status() != Activation.Status.SUCCESS);
                svg.append("<g class=\"node").append(failed ? " failed" : "").append("\" data-function=\"").append(escapeXml11(node.function()))
                        .append("\"><rect x=\"").append(p[0]).append("\" y=\"").append(p[1]).append("\" width=\"").append(NODE_W)
                        .append("\" height=\"").append(NODE_H).append("\" rx=\"6\"/>")
                        .append("<title>").append(escapeXml11(node.function())).append("</title>")
                        .append("<text x=\"").append(p[0] + 8).append("\" y=\"").append(p[1] + 13).append("\">")
                        .append(escapeXml11(node.function().length() <= NAME ? node.function() : node.function().substring(0, NAME - 1) + "…"))
                        .append("</text>");
                if (!node.calls().isEmpty()) {
                    double mean = node.calls().stream().mapToLong(Activation::durationNanos).average().orElse(0) / 1e6;
                    svg.append("<text class=\"sub\" x=\"").append(p[0] + 8).append("\" y=\"").append(p[1] + 25).append("\">")
                            .append(node.calls().size()).append("× · ").append(millis(mean)).append("</text>");
                }
                svg.append("</g>");
            }
            svg.append("</g>");
        }
        for (Edge edge : edges) {
            int[] from = at.get(edge.from()), to = at.get(edge.to());
            String d;
            int labelX, labelY;
            if (from[0] == to[0]) {
                // Within one process: an arc on the boxes' left side, apart from the hops, which leave on the right.
                int x = from[0], y1 = from[1] + NODE_H / 2, y2 = to[1] + NODE_H / 2, bulge = 14 + Math.abs(y2 - y1) / 8;
                d = "M" + x + "," + y1 + " C" + (x - bulge) + "," + y1 + " " + (x - bulge) + "," + y2 + " " + x + "," + y2;
                labelX = x - bulge - 34;
                labelY = (y1 + y2) / 2 + 4;
            } else if (from[0] < to[0]) {
                int x1 = from[0] + NODE_W, y1 = from[1] + NODE_H / 2, x2 = to[0], y2 = to[1] + NODE_H / 2;
                d = "M" + x1 + "," + y1 + " C" + (x1 + 50) + "," + y1 + " " + (x2 - 50) + "," + y2 + " " + x2 + "," + y2;
                // Near its target, where hops to one process fan in apart.
                labelX = x2 - 78;
                labelY = y2 - 5;
            } else {
                // Back to a process on the left: from the caller's left side to the callee's right side.
                int x1 = from[0], y1 = from[1] + NODE_H / 2, x2 = to[0] + NODE_W, y2 = to[1] + NODE_H / 2;
                d = "M" + x1 + "," + y1 + " C" + (x1 - 50) + "," + y1 + " " + (x2 + 50) + "," + y2 + " " + x2 + "," + y2;
                labelX = x2 + 8;
                labelY = y2 + 14;
            }
            String kind = edge.remote() ? "remote" : "local";
            String label = edge.count() + "× " + millis(edge.meanMillis());
            svg.append("<g class=\"edge ").append(kind).append("\" data-kind=\"").append(kind).append("\" data-caller=\"")
                    .append(escapeXml11(edge.from().function())).append("\" data-callee=\"").append(escapeXml11(edge.to().function())).append("\">")
                    .append("<title>").append(escapeXml11(edge.from().function() + " → " + edge.to().function() + ": " + label)).append("</title>")
                    .append("<path d=\"").append(d).append("\" marker-end=\"url(#arrow)\"/>");
            // A local edge's count and latency are its callee's, shown in its box, unless the callee has other callers.
            if (edge.remote() || edges.stream().filter(other -> other.to() == edge.to()).count() > 1) {
                svg.append("<text x=\"").append(labelX).append("\" y=\"").append(labelY).append("\">").append(label).append("</text>");
            }
            svg.append("</g>");
        }
        return svg.append("</svg>").toString();
    }

    static String millis(double ms) {
        return ms >= 100 ? String.format(Locale.ROOT, "%.0f ms", ms) : ms >= 1 ? String.format(Locale.ROOT, "%.1f ms", ms)
                : String.format(Locale.ROOT, "%.0f µs", ms * 1000);
    }
}
