"""Names of the closed-form quantities (kept free of SymPy so the CLI starts fast)."""

QUANTITIES = ("W.sq_norm_maj", "W.sq_norm_min", "W.norm_ratio", "W.cos_maj_maj", "W.cos_min_min",
              "W.cos_maj_min", "M.sq_norm_maj", "M.sq_norm_min", "M.norm_ratio", "M.cos_maj_maj",
              "M.cos_min_min", "M.cos_maj_min", "WM.cos_maj", "WM.cos_min")
