"""Price optimisation (issue 14): price/demand points, own-price elasticities, the shop's pricing rules,
profit- or revenue-optimal prices under them, demand and profit curves, and a price strategy per customer
cluster."""
