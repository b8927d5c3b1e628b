"""The report's metrics laid out as key figures, small tables and notes, on the shapes real runs save."""

from shopmine.report.metric_tables import metric_layout


def test_model_families_become_one_table_a_row_per_model():
    # a risk run's names: scorecard_* and challenger_* share five measures; challenger_trees is its own
    metrics = {"rows": 16982, "scorecard_auc": 0.731, "scorecard_ks": 0.41, "scorecard_brier": 0.0058,
               "challenger_auc": 0.762, "challenger_ks": 0.402, "challenger_brier": 0.00577,
               "challenger_trees": 163, "base_rate": 0.0058}
    layout = metric_layout(metrics)
    assert layout.figures == [("rows", "16,982"), ("challenger_trees", "163"), ("base_rate", "0.58%")]
    [table] = layout.tables
    assert table.title == "scorecard / challenger"
    assert table.columns == ["auc", "ks", "brier"]
    assert table.rows == [("scorecard", ["0.731", "0.41", "0.0058"]), ("challenger", ["0.762", "0.402", "0.00577"])]


def test_names_sharing_one_measure_stay_key_figures():
    layout = metric_layout({"n_train": 10, "n_test": 5, "tree_auc": 0.7, "lgbm_auc": 0.72})
    assert layout.tables == []
    assert [label for label, _ in layout.figures] == ["n_train", "n_test", "tree_auc", "lgbm_auc"]


def test_counts_per_column_are_not_money_because_a_column_is_called_unit_price():
    # the quality run's nulls: the report once wrote "nulls › unit_cost £539,409"
    layout = metric_layout({"nulls": {"customer_id": 132614, "unit_price": 0, "unit_cost": 539409},
                            "revenue": 1234.5}, currency="GBP")
    [table] = layout.tables
    assert table.title == "nulls" and table.columns == []
    assert table.rows == [("customer_id", ["132,614"]), ("unit_price", ["0"]), ("unit_cost", ["539,409"])]
    assert layout.figures == [("revenue", "£1,234")]  # money from 1,000 up in whole pounds


def test_a_mapping_of_records_is_a_table_with_a_row_per_key():
    outliers = {"quantity": {"rows": 527792, "outliers": 0, "low": 0.3709, "high": 151705.28},
                "unit_price": {"rows": 527792, "outliers": 3, "low": 0.01247}}
    [table] = metric_layout({"outliers": outliers}).tables
    assert table.columns == ["rows", "outliers", "low", "high"]
    assert table.rows == [("quantity", ["527,792", "0", "0.3709", "151,705"]),
                          ("unit_price", ["527,792", "3", "0.01247", ""])]


def test_deeper_nesting_is_flattened_inside_its_table():
    [table] = metric_layout({"holdout": {"rmse": 2.5, "hit_rate": 0.4, "by": {"mae": 1}}}).tables
    assert table.rows == [("rmse", ["2.5"]), ("hit_rate", ["40%"]), ("by › mae", ["1"])]


def test_long_and_multi_line_text_becomes_notes_in_order():
    rules = "|--- frequency <= 2.50\n|   |--- class: no"
    layout = metric_layout({"target": "label", "rules_text": rules, "notes": ["x" * 60, "y" * 40], "k": 2})
    assert layout.figures == [("target", "label"), ("k", "2")]
    assert layout.notes == [("rules_text", [rules]), ("notes", ["x" * 60, "y" * 40])]


def test_consecutive_records_with_the_same_fields_are_one_table():
    # a forecast run: one record of backtest errors per model
    metrics = {"n_series": 3913, "naive": {"mae": 7.19, "rmsse": 0.81}, "lgbm": {"mae": 5.81, "rmsse": 0.78},
               "auto": {"mae": 5.25, "rmsse": 0.69}, "gamma_gamma": {"p": 2.7, "q": 3.57}}
    layout = metric_layout(metrics)
    assert [(t.title, t.columns, t.rows) for t in layout.tables] == [
        ("naive / lgbm / auto", ["mae", "rmsse"],
         [("naive", ["7.19", "0.81"]), ("lgbm", ["5.81", "0.78"]), ("auto", ["5.25", "0.69"])]),
        ("gamma_gamma", [], [("p", ["2.7"]), ("q", ["3.57"])])]
