import Feed
import Foundation

/// Select: the items of a pipeline's sources merged into the ones it publishes, before any page is fetched.
extension Runner {
    /// The items of every source merged (the first of each guid and link kept, tracking parameters dropped),
    /// those the filters refuse on the fields the items already have left out (so they cost no request),
    /// and then the first `max_entries`. Each keeps its place in the merged order as its `position`, which
    /// orders entries dated alike (undated ones). Nothing of the choice is remembered: a loosened filter
    /// selects the items it refused on the next run.
    package static func select(_ items: [Item], config: PipelineConfig, now: Date) -> [Item] {
        var selected: [Item] = []
        for item in Item.merged(items) where selected.count < config.maxEntries {
            guard config.filter.admits(item, bodyIsFinal: !reads(item, config: config), now: now) else { continue }
            var item = item
            item.position = selected.count
            selected.append(item)
        }
        return selected
    }

    /// Whether the pipeline reads an item's page (`article:`; an item without a link has none to read).
    static func reads(_ item: Item, config: PipelineConfig) -> Bool {
        guard item.link != nil else { return false }
        switch config.article {
        case .fetch: return true
        case .missing: return item.content == nil
        case .none: return false
        }
    }

    /// The first of the selected items whose page the pipeline reads, as a job: what `check` and the preview
    /// show as the first article.
    package static func firstJob(of selected: [Item], discovery: Discovery, config: PipelineConfig) -> ArticleJob? {
        for item in selected where reads(item, config: config) {
            if let url = item.link, let reach = discovery.config(for: item.source) {
                return ArticleJob(item: item, url: url, config: reach)
            }
        }
        return nil
    }
}
