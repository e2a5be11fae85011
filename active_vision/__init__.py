__version__ = "0.1.0"

# The seed API at the top level (`import active_vision as av; av.load_model(...)`), imported lazily so that
# `import active_vision` stays fast and does not load torch until a model is needed.
_API = {'sample_data': 'core', 'load_dataset': 'data', 'merge_datasets': 'data', 'initial_sampling': 'data', 'Store': 'store',
        'load_model': 'models', 'load_proxy': 'models', 'train_final': 'final', 'balanced_pseudo_labels': 'final', 'load_final': 'final', 'Ensemble': 'final', 'offline_archs': 'backbones', 'label_images': 'widgets', 'review_labels': 'widgets', 'label_boxes': 'widgets', 'ActiveLearner': 'loop',
        'find_label_errors': 'label_errors'}

def __getattr__(name):
    if name in _API:
        import importlib
        return getattr(importlib.import_module(f'{__name__}.{_API[name]}'), name)
    raise AttributeError(f'module {__name__!r} has no attribute {name!r}')

def __dir__(): return sorted([*globals(), *_API])
