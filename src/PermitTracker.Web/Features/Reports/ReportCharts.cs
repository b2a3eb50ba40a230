namespace PermitTracker.Web.Features.Reports;

/// <summary>
/// Geometry of the report charts, worked out on the server so the pages need no script and no chart library.
/// Colours are Okabe-Ito (colour-blind safe); every chart also prints its numbers and has a table beside it.
/// </summary>
public static class ReportCharts
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>Okabe-Ito, in the order agencies take them; the applicant is always orange, as on the job timeline.</summary>
    public static readonly string[] Palette = ["#0072b2", "#009e73", "#cc79a7", "#56b4e9", "#d55e00", "#f0e442", "#000000"];

    public const string ApplicantColour = "#e69f00";

    /// <summary>Coordinates in SVG user units with at most two decimals.</summary>
    public static string F(double value) => value.ToString("0.##", Inv);

    /// <summary>Black or white text, whichever reads better on the fill.</summary>
    public static string TextOn(string fill)
    {
        var r = Convert.ToInt32(fill.Substring(1, 2), 16);
        var g = Convert.ToInt32(fill.Substring(3, 2), 16);
        var b = Convert.ToInt32(fill.Substring(5, 2), 16);
        return (0.299 * r) + (0.587 * g) + (0.114 * b) > 150 ? "#000000" : "#ffffff";
    }

    /// <summary>A nice round upper bound for an axis (1, 2, 2.5 or 5 times a power of ten).</summary>
    public static double NiceMax(double max)
    {
        if (max <= 0) return 1;
        var power = Math.Pow(10, Math.Floor(Math.Log10(max)));
        foreach (var m in new[] { 1, 2, 2.5, 5, 10 })
            if (m * power >= max) return m * power;
        return 10 * power;
    }
}

/// <summary>The wait matrix as a heat map: a row per waiting agency, a column per agency (or applicant) waited on.</summary>
public sealed record HeatMap(string Id, double Width, double Height, IReadOnlyList<HeatMap.Label> Rows, IReadOnlyList<HeatMap.Label> Columns,
    IReadOnlyList<HeatMap.Cell> Cells, IReadOnlyList<HeatMap.Swatch> Legend)
{
    public const double LabelWidth = 90;
    public const double HeaderHeight = 40;
    public const double CellWidth = 92;
    public const double CellHeight = 44;

    public sealed record Label(string Code, string Name, double X, double Y);

    public sealed record Cell(double X, double Y, string Fill, string TextFill, string Text, string? Href, string Title);

    public sealed record Swatch(string Fill, string Text);

    /// <summary>Sequential blues from white to Okabe-Ito blue: darker is more days waited.</summary>
    private static readonly string[] Scale = ["#deeef8", "#a9d0ea", "#6aaed6", "#2f87c2", "#0062a0"];

    public static HeatMap Build(string id, IReadOnlyList<string> rows, IReadOnlyList<string> columns,
        IReadOnlyDictionary<(string Row, string Column), (double Total, string Title, string Href)> cells, Func<string, string> name)
    {
        var max = cells.Values.Select(c => c.Total).DefaultIfEmpty(0).Max();
        var step = ReportCharts.NiceMax(max) / Scale.Length;
        string FillOf(double total) => Scale[Math.Clamp((int)Math.Floor(total / step), 0, Scale.Length - 1)];
        var rowLabels = rows.Select((r, i) => new Label(r, name(r), 4, HeaderHeight + (i * CellHeight) + (CellHeight / 2) + 5)).ToList();
        var columnLabels = columns.Select((c, i) => new Label(c, name(c), LabelWidth + (i * CellWidth) + (CellWidth / 2), HeaderHeight - 12)).ToList();
        var drawn = new List<Cell>();
        for (var r = 0; r < rows.Count; r++)
        {
            for (var c = 0; c < columns.Count; c++)
            {
                var (x, y) = (LabelWidth + (c * CellWidth), HeaderHeight + (r * CellHeight));
                if (cells.TryGetValue((rows[r], columns[c]), out var cell))
                {
                    var fill = FillOf(cell.Total);
                    drawn.Add(new Cell(x, y, fill, ReportCharts.TextOn(fill), ReportPageModel.Days(cell.Total), cell.Href, cell.Title));
                }
                else
                {
                    drawn.Add(new Cell(x, y, "#f4f4f4", "#505050", "–", null, $"{name(rows[r])} did not wait on {name(columns[c])}"));
                }
            }
        }
        var legend = Scale.Select((fill, i) => new Swatch(fill, i == Scale.Length - 1
            ? $"{ReportCharts.F(i * step)} days or more"
            : $"{ReportCharts.F(i * step)} to {ReportCharts.F((i + 1) * step)} days")).ToList();
        return new HeatMap(id, LabelWidth + (Math.Max(columns.Count, 1) * CellWidth) + 4, HeaderHeight + (Math.Max(rows.Count, 1) * CellHeight) + 4,
            rowLabels, columnLabels, drawn, legend);
    }
}

/// <summary>Horizontal bars of 100 %, one per group (a permit type), split into holders' shares.</summary>
public sealed record StackedBars(string Id, double Width, double Height, IReadOnlyList<StackedBars.Bar> Bars,
    IReadOnlyList<StackedBars.Tick> Ticks, IReadOnlyList<StackedBars.Key> Legend)
{
    public const double LabelWidth = 150;
    public const double Top = 24;
    public const double BarHeight = 30;
    public const double Gap = 16;
    public const double Right = 12;

    public sealed record Bar(string Label, double Y, string? Href, IReadOnlyList<Segment> Segments);

    public sealed record Segment(string Holder, double X, double Width, string Fill, string TextFill, string? Text, string Title);

    public sealed record Tick(double X, string Label);

    public sealed record Key(string Holder, string Name, string Fill);

    public static StackedBars Build(string id, IReadOnlyList<(string Label, string? Href, IReadOnlyList<(string Holder, double Share, string Title)> Parts)> groups,
        Func<string, string> name, double width = 720)
    {
        var holders = groups.SelectMany(g => g.Parts.Select(p => p.Holder)).Distinct().Where(h => h != "applicant").Order(StringComparer.Ordinal).ToList();
        var colours = holders.Select((h, i) => (h, ReportCharts.Palette[i % ReportCharts.Palette.Length])).ToDictionary(p => p.h, p => p.Item2);
        colours["applicant"] = ReportCharts.ApplicantColour;
        var plot = width - LabelWidth - Right;
        var bars = new List<Bar>();
        for (var i = 0; i < groups.Count; i++)
        {
            var (label, href, parts) = groups[i];
            var x = LabelWidth;
            var segments = new List<Segment>();
            foreach (var (holder, share, title) in parts)
            {
                var w = plot * Math.Max(0, share);
                var fill = colours[holder];
                segments.Add(new Segment(holder, x, w, fill, ReportCharts.TextOn(fill),
                    w >= 64 ? $"{(holder == "applicant" ? "Applicant" : holder)} {ReportPageModel.Percent(share)}" : w >= 30 ? ReportPageModel.Percent(share) : null, title));
                x += w;
            }
            bars.Add(new Bar(label, Top + (i * (BarHeight + Gap)), href, segments));
        }
        var ticks = new[] { 0, .25, .5, .75, 1 }.Select(t => new Tick(LabelWidth + (plot * t), ReportPageModel.Percent(t))).ToList();
        var legend = colours.Keys.Where(h => groups.Any(g => g.Parts.Any(p => p.Holder == h)))
            .OrderBy(h => h == "applicant").ThenBy(h => h, StringComparer.Ordinal).Select(h => new Key(h, name(h), colours[h])).ToList();
        return new StackedBars(id, width, Top + (Math.Max(groups.Count, 1) * (BarHeight + Gap)) + 4, bars, ticks, legend);
    }
}

/// <summary>
/// The words a line chart writes (legend, title, description, axis, each point's title, the months), in English for the
/// staff reports; the public performance dashboard passes its reader's language (PortalText).
/// </summary>
/// <param name="TitleFormat">"{0}" is the chart's subject.</param>
/// <param name="PointFormat">"{0}" the month, "{1}" the line's name (<see cref="Median"/> or <see cref="P90"/>), "{2}" the days.</param>
public sealed record ChartWords(string Legend, string Median, string P90, string Days, string TitleFormat, string Description, string PointFormat,
    Func<string, string> Month, Func<double, string> Number)
{
    public static ChartWords English { get; } = new("Legend", "Median", "90th percentile", "days", "{0}: monthly median and 90th percentile, in days",
        "Months along the bottom, days up the side. A line breaks where a month had fewer than 5 to judge by. The table beside the chart gives the same figures.",
        "{0}: {1} {2} days", LineChart.MonthLabel, ReportPageModel.Days);
}

/// <summary>A monthly line chart of a median (solid line, round points) and a p90 (dashed line, square points).</summary>
public sealed record LineChart(string Id, double Width, double Height, IReadOnlyList<LineChart.Line> Lines,
    IReadOnlyList<LineChart.Tick> XTicks, IReadOnlyList<LineChart.Tick> YTicks, double PlotLeft, double PlotRight, double PlotTop, double PlotBottom,
    ChartWords Words)
{
    public const double Left = 48;
    public const double Right = 12;
    public const double Top = 12;
    public const double Bottom = 36;

    /// <summary>Kind: "median" or "p90". A line breaks where a month had too few to judge.</summary>
    public sealed record Line(string Kind, IReadOnlyList<string> Paths, IReadOnlyList<Point> Points);

    public sealed record Point(double X, double Y, string Title);

    public sealed record Tick(double At, string Label);

    public static LineChart Build(string id, IReadOnlyList<string> months, IReadOnlyList<(double? Median, double? P90)> values, double width = 560, double height = 240,
        ChartWords? words = null)
    {
        var w = words ?? ChartWords.English;
        var max = ReportCharts.NiceMax(values.SelectMany(v => new[] { v.Median, v.P90 }).Where(v => v is not null).Select(v => v!.Value).DefaultIfEmpty(0).Max());
        var (left, right, top, bottom) = (Left, width - Right, Top, height - Bottom);
        double X(int i) => months.Count <= 1 ? left : left + ((right - left) * i / (months.Count - 1));
        double Y(double v) => bottom - ((bottom - top) * v / max);
        Line Build(string kind, Func<(double? Median, double? P90), double?> pick)
        {
            var paths = new List<string>();
            var points = new List<Point>();
            var current = new List<string>();
            var name = kind == "median" ? w.Median : w.P90;
            for (var i = 0; i < months.Count; i++)
            {
                if (pick(values[i]) is { } v)
                {
                    current.Add($"{(current.Count == 0 ? "M" : "L")} {ReportCharts.F(X(i))} {ReportCharts.F(Y(v))}");
                    points.Add(new Point(X(i), Y(v), string.Format(CultureInfo.InvariantCulture, w.PointFormat, w.Month(months[i]), name, w.Number(v))));
                }
                else if (current.Count > 0)
                {
                    paths.Add(string.Join(' ', current));
                    current.Clear();
                }
            }
            if (current.Count > 0) paths.Add(string.Join(' ', current));
            return new Line(kind, paths, points);
        }
        var xTicks = months.Select((m, i) => (m, i)).Where(p => p.i % 3 == 0 || p.i == months.Count - 1).Select(p => new Tick(X(p.i), w.Month(p.m))).ToList();
        var yTicks = Enumerable.Range(0, 5).Select(k => new Tick(Y(max * k / 4), ReportCharts.F(max * k / 4))).ToList();
        return new LineChart(id, width, height, [Build("median", v => v.Median), Build("p90", v => v.P90)], xTicks, yTicks, left, right, top, bottom, w);
    }

    /// <summary>"2026-04" as "Apr 2026" (or in the culture given: "avr. 2026").</summary>
    public static string MonthLabel(string month) => MonthLabel(month, CultureInfo.GetCultureInfo("en-US"));

    public static string MonthLabel(string month, CultureInfo culture) =>
        DateOnly.TryParseExact(month + "-01", "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d)
            ? d.ToString("MMM yyyy", culture) : month;
}

/// <summary>
/// Several daily counts as lines over the same days (the backlog over time): one line per series, Okabe-Ito colours and
/// a distinct dash each, so the lines differ without colour too.
/// </summary>
public sealed record SeriesChart(string Id, double Width, double Height, IReadOnlyList<SeriesChart.Line> Lines,
    IReadOnlyList<LineChart.Tick> XTicks, IReadOnlyList<LineChart.Tick> YTicks, double PlotLeft, double PlotRight, double PlotTop, double PlotBottom)
{
    private static readonly string[] Dashes = ["", "6 4", "2 3", "10 3 2 3", "1 5"];

    public sealed record Line(string Key, string Name, string Colour, string Dash, string Path, string Title);

    public static SeriesChart Build(string id, IReadOnlyList<DateOnly> days, IReadOnlyList<(string Key, string Name, IReadOnlyList<int> Counts)> series,
        double width = 720, double height = 260)
    {
        var max = ReportCharts.NiceMax(series.SelectMany(s => s.Counts).DefaultIfEmpty(0).Max());
        var (left, right, top, bottom) = (LineChart.Left, width - LineChart.Right, LineChart.Top, height - LineChart.Bottom);
        double X(int i) => days.Count <= 1 ? left : left + ((right - left) * i / (days.Count - 1));
        double Y(double v) => bottom - ((bottom - top) * v / max);
        var lines = series.Select((s, k) => new Line(s.Key, s.Name, ReportCharts.Palette[k % ReportCharts.Palette.Length], Dashes[k % Dashes.Length],
            string.Join(' ', s.Counts.Select((c, i) => $"{(i == 0 ? "M" : "L")} {ReportCharts.F(X(i))} {ReportCharts.F(Y(c))}")),
            $"{s.Name}: {(s.Counts.Count == 0 ? 0 : s.Counts[^1])} on {(days.Count == 0 ? "" : DayLabel(days[^1]))}")).ToList();
        // About eight labels along the bottom, whatever the range.
        var every = Math.Max(1, (int)Math.Ceiling(days.Count / 8.0));
        var xTicks = days.Select((d, i) => (d, i)).Where(p => p.i % every == 0 || p.i == days.Count - 1).Select(p => new LineChart.Tick(X(p.i), DayLabel(p.d))).ToList();
        var yTicks = Enumerable.Range(0, 5).Select(k => new LineChart.Tick(Y(max * k / 4), ReportCharts.F(max * k / 4))).ToList();
        return new SeriesChart(id, width, height, lines, xTicks, yTicks, left, right, top, bottom);
    }

    /// <summary>"2026-04-30" as "30 Apr 2026".</summary>
    public static string DayLabel(DateOnly day) => day.ToString("d MMM yyyy", CultureInfo.GetCultureInfo("en-US"));
}
