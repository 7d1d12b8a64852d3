"""The ``dask`` backend: steps run on the workers of a Dask cluster (docs/dask.md).

``plugin`` is what the registry loads (it imports nothing of Dask until a run needs it),
``project`` packs a run's project content-addressed, ``cluster`` is the server's side (the client,
a LocalCluster when no scheduler is given, step logs, cancel, lost workers) and ``worker`` what runs
on a worker (the cached project, the step's process, its outputs and the files it wrote), and
``containers`` where on the worker: in the environment's image built there, or on its host.
"""
