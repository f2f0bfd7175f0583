"""Candidate models, one file per model, all in the `Recommender` shape."""

from kcrm.recommend.models.content import ContentRecommender
from kcrm.recommend.models.copurchase import CoPurchaseRecommender
from kcrm.recommend.models.factorization import ALSRecommender
from kcrm.recommend.models.itemknn import ItemKNNRecommender
from kcrm.recommend.models.popularity import PopularityRecommender

__all__ = [
    "ALSRecommender",
    "CoPurchaseRecommender",
    "ContentRecommender",
    "ItemKNNRecommender",
    "PopularityRecommender",
]
