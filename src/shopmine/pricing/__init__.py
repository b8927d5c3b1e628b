"""Pricing: price elasticities per product and customer cluster, and prices under the shop's rules."""
