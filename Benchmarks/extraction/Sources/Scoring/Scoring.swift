/// The article-extraction benchmark's metric: word 4-gram shingles counted as a multiset, per-page
/// true/false positives and negatives normalised to sum to one, macro precision and recall over pages, F1
/// from the two means, and exact-token accuracy.
package enum Scoring {
    /// One page's outcome.
    package struct Page: Sendable, Equatable {
        package var id: String
        package var precision: Double
        package var recall: Double
        /// Whether precision counts towards the mean (the prediction had shingles or matched).
        package var countsForPrecision: Bool
        package var countsForRecall: Bool
        package var exact: Bool

        package var f1: Double { precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall) }
    }

    /// Aggregates over pages.
    package struct Summary: Sendable, Equatable {
        package var precision: Double
        package var recall: Double
        package var f1: Double
        package var accuracy: Double
    }

    /// Tokens as Python's `re.findall(r"\w+", text)` finds them: maximal runs of letters, digits and `_`.
    package static func tokens(_ text: String) -> [Substring] {
        var tokens: [Substring] = []
        var start: String.Index?
        var index = text.startIndex
        for scalar in text.unicodeScalars {
            let next = text.unicodeScalars.index(after: index)
            if isWordCharacter(scalar) {
                if start == nil { start = index }
            } else if let begin = start {
                tokens.append(text[begin..<index])
                start = nil
            }
            index = next
        }
        if let begin = start { tokens.append(text[begin..<text.endIndex]) }
        return tokens
    }

    /// Python's `\w` for str patterns: alphabetic (categories L*), numeric (Nd, Nl, No), or underscore.
    static func isWordCharacter(_ scalar: Unicode.Scalar) -> Bool {
        if scalar == "_" { return true }
        if scalar.isASCII {
            let value = scalar.value
            return (value >= 0x30 && value <= 0x39) || (value >= 0x41 && value <= 0x5A)
                || (value >= 0x61 && value <= 0x7A)
        }
        switch scalar.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter,
            .decimalNumber, .letterNumber, .otherNumber:
            return true
        default:
            return false
        }
    }

    /// Shingles of `size` tokens as a multiset; 1 to `size - 1` tokens make one shorter shingle.
    static func shingles(_ tokens: [Substring], size: Int = 4) -> [[Substring]: Int] {
        guard !tokens.isEmpty else { return [:] }
        var counts: [[Substring]: Int] = [:]
        for start in 0..<max(1, tokens.count - size + 1) {
            counts[Array(tokens[start..<min(tokens.count, start + size)]), default: 0] += 1
        }
        return counts
    }

    /// Scores one page.
    package static func page(id: String, truth: String, prediction: String, shingleSize: Int = 4) -> Page {
        let expectedTokens = tokens(truth)
        let predictedTokens = tokens(prediction)
        let expected = shingles(expectedTokens, size: shingleSize)
        let predicted = shingles(predictedTokens, size: shingleSize)
        var tp = 0.0
        var fp = 0.0
        var fn = 0.0
        for (shingle, count) in expected {
            let other = predicted[shingle] ?? 0
            tp += Double(min(count, other))
            fn += Double(max(0, count - other))
        }
        for (shingle, count) in predicted { fp += Double(max(0, count - (expected[shingle] ?? 0))) }
        let total = tp + fp + fn
        if total > 0 {
            tp /= total
            fp /= total
            fn /= total
        }
        let precision = fp == 0 && fn == 0 ? 1 : (tp == 0 && fp == 0 ? 0 : tp / (tp + fp))
        let recall = fp == 0 && fn == 0 ? 1 : (tp == 0 && fn == 0 ? 0 : tp / (tp + fn))
        return Page(
            id: id, precision: precision, recall: recall, countsForPrecision: tp + fp > 0,
            countsForRecall: tp + fn > 0, exact: expectedTokens == predictedTokens)
    }

    /// Macro precision and recall over pages, F1 from the two means, and accuracy.
    package static func summary(_ pages: [Page]) -> Summary {
        let precisions = pages.filter(\.countsForPrecision).map(\.precision)
        let recalls = pages.filter(\.countsForRecall).map(\.recall)
        let precision = precisions.isEmpty ? 0 : precisions.reduce(0, +) / Double(precisions.count)
        let recall = recalls.isEmpty ? 0 : recalls.reduce(0, +) / Double(recalls.count)
        let f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall)
        let accuracy = pages.isEmpty ? 0 : Double(pages.filter(\.exact).count) / Double(pages.count)
        return Summary(precision: precision, recall: recall, f1: f1, accuracy: accuracy)
    }
}
