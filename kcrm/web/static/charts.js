// Small SVG charts drawn in the page: no library, no network, text set as text.
"use strict";

window.kcrmCharts = (() => {
  const NS = "http://www.w3.org/2000/svg";
  const COLOURS = ["#1f5fbf", "#3aa0a4"];

  function svg(tag, attrs, text) {
    const node = document.createElementNS(NS, tag);
    for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, String(v));
    if (text !== undefined) node.textContent = text;
    return node;
  }

  // Grouped horizontal bars: one group per row, one bar per series, all on one scale.
  // rows: [{label, values: [number...], texts: [string...]}]; series: [name...].
  function groupedBars(container, { title, rows, series }) {
    // Drawn at the container's own width, so the 12px labels stay 12px on a phone.
    const width = Math.max(260, Math.round(container.clientWidth || 560));
    // Narrow boxes put each label above its bars rather than cutting it short.
    const stacked = width < 460;
    const labelWidth = stacked ? 0 : Math.round(Math.min(150, width * 0.3));
    const labelHeight = stacked ? 16 : 0;
    const valueRoom = 76;
    const barHeight = 11;
    const gap = 3;
    const groupGap = 12;
    const top = 4;
    const groupHeight = labelHeight + series.length * (barHeight + gap) - gap;
    const height = top + rows.length * (groupHeight + groupGap);
    const max = Math.max(1e-9, ...rows.flatMap((r) => r.values));
    const span = width - labelWidth - valueRoom;
    const id = `chart-${Math.random().toString(36).slice(2, 9)}`;
    const root = svg("svg", { viewBox: `0 0 ${width} ${Math.max(height, 20)}`, role: "img", "aria-labelledby": id, preserveAspectRatio: "xMinYMin meet" });
    root.append(svg("title", { id }, title));
    rows.forEach((row, i) => {
      const y = top + i * (groupHeight + groupGap);
      if (stacked) root.append(svg("text", { x: 0, y: y + 11 }, row.label));
      else root.append(svg("text", { x: labelWidth - 8, y: y + groupHeight / 2 + 4, "text-anchor": "end" }, row.label));
      row.values.forEach((value, j) => {
        const by = y + labelHeight + j * (barHeight + gap);
        const w = Math.max(value > 0 ? 1.5 : 0, (value / max) * span);
        const rect = svg("rect", { x: labelWidth, y: by, width: w.toFixed(1), height: barHeight, rx: 2, fill: COLOURS[j % COLOURS.length] });
        rect.append(svg("title", {}, `${row.label}: ${series[j]} ${row.texts[j]}`));
        root.append(rect);
        root.append(svg("text", { x: labelWidth + w + 5, y: by + barHeight - 1.5, class: "axis" }, row.texts[j]));
      });
    });
    container.replaceChildren(root);
    return root;
  }

  return { groupedBars };
})();
