//! The shape of a mapping: sibling order, depth, and the current thread.
//!
//! Children are derived from `parent` pointers only (slim 2026 exports omit `children`, and
//! older ones may disagree with `parent`); a `children` array, when present, only orders
//! siblings. The current thread is the walk up from `current_node`, or from the newest leaf
//! when `current_node` is missing, null or names no node. Cycles and dangling parents are
//! tolerated: a walk stops at the first node it has already seen or cannot find.

use std::collections::{HashMap, HashSet};

/// What the tree needs to know about one node.
#[derive(Debug, Clone)]
pub struct TreeNode<'a> {
    /// The node id (mapping key).
    pub id: &'a str,
    /// The `parent` pointer.
    pub parent: Option<&'a str>,
    /// The `children` array, when present.
    pub children: Option<Vec<&'a str>>,
    /// The message's `create_time`, for ordering siblings and choosing the newest leaf.
    pub created: Option<f64>,
}

/// Derived facts for each node, index-aligned with the input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shape {
    /// Order among siblings (0-based).
    pub position: Vec<i64>,
    /// Distance from the root (0 for roots and for nodes whose parent is missing).
    pub depth: Vec<i64>,
    /// Whether the node is on the current thread.
    pub on_thread: Vec<bool>,
    /// The node the thread was walked up from, if the mapping has any node.
    pub leaf: Option<usize>,
}

/// Computes sibling order, depth and the current thread.
pub fn shape(nodes: &[TreeNode<'_>], current_node: Option<&str>) -> Shape {
    let index: HashMap<&str, usize> = nodes.iter().enumerate().map(|(i, n)| (n.id, i)).collect();
    let parent_of = |i: usize| nodes[i].parent.and_then(|p| index.get(p).copied());
    let position = sibling_positions(nodes, &index);
    let depth = depths(nodes.len(), &parent_of);
    let leaf = current_node.and_then(|id| index.get(id).copied()).or_else(|| newest_leaf(nodes));
    let mut on_thread = vec![false; nodes.len()];
    let mut at = leaf;
    while let Some(i) = at {
        if on_thread[i] {
            break;
        }
        on_thread[i] = true;
        at = parent_of(i);
    }
    Shape { position, depth, on_thread, leaf }
}

/// Depth of every node, each computed once: a walk up stops at the first node whose depth
/// is known, at a missing parent, or at a cycle.
fn depths(count: usize, parent_of: &impl Fn(usize) -> Option<usize>) -> Vec<i64> {
    let mut depth: Vec<Option<i64>> = vec![None; count];
    for start in 0..count {
        let mut path = Vec::new();
        let mut on_path = HashSet::new();
        let mut at = start;
        let base = loop {
            if let Some(known) = depth[at] {
                break known;
            }
            if !on_path.insert(at) {
                break -1;
            }
            path.push(at);
            match parent_of(at) {
                Some(parent) => at = parent,
                None => break -1,
            }
        };
        for (i, node) in path.iter().rev().enumerate() {
            depth[*node] = Some(base + 1 + i as i64);
        }
    }
    depth.into_iter().map(|d| d.unwrap_or(0)).collect()
}

fn sibling_positions(nodes: &[TreeNode<'_>], index: &HashMap<&str, usize>) -> Vec<i64> {
    let mut groups: HashMap<Option<usize>, Vec<usize>> = HashMap::new();
    for (i, node) in nodes.iter().enumerate() {
        let parent = node.parent.and_then(|p| index.get(p).copied());
        groups.entry(parent).or_default().push(i);
    }
    let mut position = vec![0; nodes.len()];
    for (parent, mut members) in groups {
        let listed = parent.and_then(|p| nodes[p].children.as_ref());
        let rank = |i: usize| listed.and_then(|c| c.iter().position(|id| *id == nodes[i].id));
        members.sort_by(|&a, &b| {
            let by_list = rank(a).unwrap_or(usize::MAX).cmp(&rank(b).unwrap_or(usize::MAX));
            let by_time = nodes[a]
                .created
                .unwrap_or(f64::MIN)
                .total_cmp(&nodes[b].created.unwrap_or(f64::MIN));
            by_list.then(by_time).then(nodes[a].id.cmp(nodes[b].id))
        });
        for (rank, i) in members.into_iter().enumerate() {
            position[i] = rank as i64;
        }
    }
    position
}

/// The leaf with the latest `create_time`, then the greatest id.
fn newest_leaf(nodes: &[TreeNode<'_>]) -> Option<usize> {
    let parents: HashSet<&str> = nodes.iter().filter_map(|n| n.parent).collect();
    nodes
        .iter()
        .enumerate()
        .filter(|(_, n)| !parents.contains(n.id))
        .max_by(|(_, a), (_, b)| {
            let time = a.created.unwrap_or(f64::MIN).total_cmp(&b.created.unwrap_or(f64::MIN));
            time.then(a.id.cmp(b.id))
        })
        .map(|(i, _)| i)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node<'a>(id: &'a str, parent: Option<&'a str>, created: f64) -> TreeNode<'a> {
        TreeNode { id, parent, children: None, created: Some(created) }
    }

    #[test]
    fn regenerated_answers_are_ordered_and_the_thread_follows_current_node() {
        let nodes = [
            node("root", None, 0.0),
            node("q", Some("root"), 1.0),
            node("a2", Some("q"), 3.0),
            node("a1", Some("q"), 2.0),
        ];
        let shape = shape(&nodes, Some("a1"));
        assert_eq!(shape.position, [0, 0, 1, 0]);
        assert_eq!(shape.depth, [0, 1, 2, 2]);
        assert_eq!(shape.on_thread, [true, true, false, true]);
    }

    #[test]
    fn children_arrays_order_siblings_before_time() {
        let mut root = node("root", None, 0.0);
        root.children = Some(vec!["late", "early"]);
        let nodes = [root, node("early", Some("root"), 1.0), node("late", Some("root"), 2.0)];
        assert_eq!(shape(&nodes, None).position, [0, 1, 0]);
    }

    #[test]
    fn dangling_current_node_falls_back_to_newest_leaf() {
        let nodes = [node("r", None, 0.0), node("x", Some("r"), 5.0), node("y", Some("r"), 9.0)];
        let shape = shape(&nodes, Some("gone"));
        assert_eq!(shape.leaf, Some(2));
        assert_eq!(shape.on_thread, [true, false, true]);
    }

    #[test]
    fn cycles_and_missing_parents_do_not_hang() {
        let nodes =
            [node("a", Some("b"), 0.0), node("b", Some("a"), 1.0), node("c", Some("zz"), 2.0)];
        let shape = shape(&nodes, Some("a"));
        assert_eq!(shape.on_thread, [true, true, false]);
        assert_eq!(shape.depth, [1, 0, 0]);
    }
}
